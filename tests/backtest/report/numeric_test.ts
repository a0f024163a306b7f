import assert from "node:assert/strict";
import { drawdownPeriods, drawdownSeries } from "../../../backtest/report/drawdown.ts";
import {
  barReturns,
  omegaRatio,
  sortedAt,
  sortedReturns,
  streaks,
  tailRatio,
  valueAtRisk,
} from "../../../backtest/report/extras.ts";
import { geometricMean, percentile, percentileSorted } from "../../../backtest/report/numeric.ts";
import type { ClosedTrade } from "../../../backtest/report/mod.ts";

Deno.test("geometricMean: NaN counts as 0, a total loss gives 0, empty gives NaN", () => {
  assert.ok(Math.abs(geometricMean([0.1, -0.1]) - (Math.sqrt(1.1 * 0.9) - 1)) < 1e-15);
  assert.equal(geometricMean([NaN, 0]), 0);
  assert.equal(geometricMean([0.5, -1]), 0);
  assert.ok(Number.isNaN(geometricMean([])));
});

Deno.test("percentile interpolates linearly, as numpy", () => {
  assert.equal(percentile([4, 1, 3, 2], 50), 2.5);
  assert.ok(Math.abs(percentile([1, 2, 3, 4, 5], 5) - 1.2) < 1e-15);
  assert.ok(Number.isNaN(percentile([], 5)));
});

Deno.test("drawdown periods end at the next peak, or at the last bar when not recovered", () => {
  const equity = [100, 90, 100, 110, 99, 88, 120, 100];
  const dd = drawdownSeries(equity);
  assert.deepEqual(Array.from(dd).map((d) => Math.round(d * 100) / 100), [0, 0.1, 0, 0, 0.1, 0.2, 0, 0.17]);
  const periods = drawdownPeriods([0, 1, 2, 3, 4, 5, 6, 7], dd);
  assert.deepEqual(periods.map((p) => [p.startBar, p.endBar, p.durationMs]), [[0, 2, 2], [3, 6, 3]]);
  // The last bar's drawdown forms no period: backtesting.py needs a bar strictly between the ends.
  assert.ok(Math.abs(periods[1].depth - 0.2) < 1e-12);
});

Deno.test("omega, tail ratio, VaR and CVaR on per-bar returns", () => {
  const r = barReturns([100, 110, 99, 99, 108.9]);
  assert.ok(Math.abs(omegaRatio(r) - 0.2 / 0.1) < 1e-12);
  const { var95, cvar95 } = valueAtRisk([-0.05, -0.01, 0, 0.01, 0.02]);
  assert.ok(Math.abs(var95 - -0.042) < 1e-12);
  assert.equal(cvar95, -0.05);
  assert.ok(Math.abs(tailRatio([-0.05, -0.01, 0, 0.01, 0.02]) - 0.018 / 0.042) < 1e-12);
  assert.deepEqual(barReturns([1, 0, 0, 2]), [-1]); // 0/0 and x/0 are skipped
});

Deno.test("streaks count consecutive wins and losses; a zero pnl breaks both", () => {
  const trade = (pnl: number) => ({ pnl }) as ClosedTrade;
  assert.deepEqual(streaks([1, 2, -1, -1, -1, 0, -1, 3].map(trade)), { win: 2, loss: 3 });
  assert.deepEqual(streaks([]), { win: 0, loss: 0 });
});

Deno.test("sortedAt: the percentiles VaR and the tail ratio read are the whole sort's, ties and short series too", () => {
  let seed = 7;
  const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;
  for (const n of [1, 2, 3, 4, 5, 10, 19, 20, 21, 100, 1001, 5000]) {
    for (const kind of ["spread", "ties", "ascending", "descending"]) {
      const x = Array.from(
        { length: n },
        (_, i) =>
          kind === "ties"
            ? Math.round(random() * 4) / 100 - 0.02
            : kind === "ascending"
            ? i / n
            : kind === "descending"
            ? -i / n
            : (random() - 0.5) / 10,
      );
      const sorted = sortedReturns(x);
      const picked = sortedAt(x, [5, 95]);
      for (const q of [5, 95]) {
        assert.equal(percentileSorted(picked, q), percentileSorted(sorted, q), `${kind} n=${n} q=${q}`);
      }
      assert.deepEqual(valueAtRisk(x, picked), valueAtRisk(x, sorted));
      assert.equal(tailRatio(x, picked), tailRatio(x, sorted));
    }
  }
  assert.equal(sortedAt([], [5, 95]).length, 0);
});
