// Degenerate inputs against backtesting.py's compute_stats (fixtures/backtesting_py/edge_cases.json).
import assert from "node:assert/strict";
import { computeStats, REPORT_FIELDS } from "../../../backtest/report/mod.ts";
import { type EdgeCase, loadEdgeCases, relDiff } from "./fixtures.ts";

const cases = loadEdgeCases();

function run(c: EdgeCase) {
  return computeStats({
    ts: Float64Array.from(c.ts),
    equity: Float64Array.from(c.equity),
    close: Float64Array.from(c.close),
    trades: [],
    initialCash: c.equity[0],
    totalCommission: 0,
  });
}

// backtesting.py reports a drawdown fraction as the "duration" when the only drawdown is on the last bar
// (its `dd.replace(0, nan)` fallback); we report NaN there (README, "Deviations").
const DEVIATIONS: Record<string, Set<string>> = {
  last_bar_drawdown: new Set(["Max. Drawdown Duration", "Avg. Drawdown Duration"]),
};

for (const [name, c] of Object.entries(cases)) {
  Deno.test(`edge case matches backtesting.py: ${name}`, () => {
    const report = run(c);
    for (const { key, label } of REPORT_FIELDS) {
      if (!(label in c.stats)) continue;
      if (DEVIATIONS[name]?.has(label)) {
        assert.ok(Number.isNaN(report[key]), `${label} is NaN`);
        continue;
      }
      const expected = c.stats[label];
      assert.ok(relDiff(report[key], expected) <= 1e-6, `${label}: got ${report[key]}, expected ${expected}`);
    }
  });
}

Deno.test("no trades: trade statistics are NaN, counts 0", () => {
  const r = run(cases.no_trades_flat);
  assert.equal(r.tradeCount, 0);
  assert.equal(r.exposureTimePct, 0);
  for (
    const k of [
      "winRatePct",
      "bestTradePct",
      "worstTradePct",
      "avgTradePct",
      "maxTradeDurationMs",
      "avgTradeDurationMs",
      "profitFactor",
      "expectancyPct",
      "sqn",
      "kellyCriterion",
      "avgMaePct",
      "avgMfePct",
    ] as const
  ) assert.ok(Number.isNaN(r[k]), k);
  assert.equal(r.longestWinStreak, 0);
  assert.equal(r.longestLossStreak, 0);
  assert.equal(r.turnover, 0);
});

Deno.test("flat equity: zero return and volatility, NaN ratios, no drawdown", () => {
  const r = run(cases.no_trades_flat);
  assert.equal(r.returnPct, 0);
  assert.equal(r.volatilityAnnPct, 0);
  assert.ok(Number.isNaN(r.sharpeRatio) && Number.isNaN(r.sortinoRatio) && Number.isNaN(r.calmarRatio));
  assert.equal(r.maxDrawdownPct, -0);
  assert.ok(Number.isNaN(r.avgDrawdownPct) && Number.isNaN(r.maxDrawdownDurationMs));
  assert.ok(Number.isNaN(r.omegaRatio)); // 0 / 0
  assert.equal(r.var95Pct, 0);
});

Deno.test("a single bar: zero duration, NaN for everything that needs two bars", () => {
  const r = run(cases.single_bar);
  assert.equal(r.durationMs, 0);
  assert.equal(r.start, r.end);
  assert.ok(Number.isNaN(r.barPeriodMs));
  for (const k of ["returnAnnPct", "volatilityAnnPct", "cagrPct", "beta", "alphaPct", "var95Pct"] as const) {
    assert.ok(Number.isNaN(r[k]), k);
  }
});

Deno.test("computeStats rejects inputs it cannot measure", () => {
  const one = Float64Array.of(1);
  const base = { ts: one, equity: one, close: one, trades: [], initialCash: 1, totalCommission: 0 };
  assert.throws(() => computeStats({ ...base, ts: new Float64Array() }), /series is empty/);
  assert.throws(() => computeStats({ ...base, close: Float64Array.of(1, 2) }), /differ in length/);
  assert.throws(() => computeStats(base, { riskFreeRate: 1 }), /riskFreeRate/);
  assert.throws(() => computeStats(base, { warmupBars: 1 }), /warmupBars/);
});
