/**
 * The optimiser against the engine: every result of a grid search run on Worker threads equals a standalone
 * runBacktest of the same parameters, and walk-forward picks what a standalone in-sample search picks.
 */
import assert from "node:assert/strict";
import { loadBars } from "../../../storage/bars/mod.ts";
import { runBacktest } from "../../../backtest/engine.ts";
import { optimize, segmentInput, walkForwardFolds } from "../../../backtest/optimize/mod.ts";
import { sliceSeries } from "../../../backtest/optimize/runner.ts";
import { BUILT_INS } from "../../../strategies/registry.ts";

const GOOG = new URL("../../../../shared/data/backtesting_py/GOOG.csv", import.meta.url);
const setup = { module: BUILT_INS.sma_cross, data: [{ path: GOOG.pathname, symbol: "GOOG" }], cash: 10_000 };

Deno.test("grid over SMA-cross periods on GOOG: each result equals its standalone backtest", async () => {
  const { series } = await loadBars(GOOG, { symbol: "GOOG" });
  const progress: number[] = [];
  const result = await optimize({
    setup,
    params: ["fast=5..25:10", "slow=20..40:10", "average=sma,ema"],
    workers: 2,
    onProgress: (p) => progress.push(p.done),
  });
  assert.equal(result.space.combos.length + result.space.skipped, 18);
  assert.equal(result.space.skipped, 2, "fast 25 ≥ slow 20, for either average");
  assert.equal(result.rows.length, 16);
  assert.deepEqual(progress, Array.from({ length: 16 }, (_, i) => i + 1));
  for (const row of result.rows) {
    const alone = await runBacktest({
      strategies: [{ id: "alone", module: BUILT_INS.sma_cross, params: row.params }],
      data: [series],
      cash: 10_000,
    });
    assert.equal(row.objective, alone.report.sharpeRatio, JSON.stringify(row.params));
    assert.deepEqual(row.report, alone.report);
  }
  for (let i = 1; i < result.rows.length; i++) assert.ok(result.rows[i - 1].objective >= result.rows[i].objective);
});

Deno.test("a search is deterministic: 1 worker, 2 workers and in-thread give the same ranking", async () => {
  const spec = { setup, params: ["fast=3..60", "slow=10..120"], method: "random" as const, samples: 12, seed: 3 };
  const key = (r: Awaited<ReturnType<typeof optimize>>) => r.rows.map((x) => [x.params, x.objective]);
  const one = key(await optimize({ ...spec, workers: 1, objective: "returnPct" }));
  assert.deepEqual(key(await optimize({ ...spec, workers: 2, objective: "returnPct" })), one);
  assert.deepEqual(key(await optimize({ ...spec, workers: 0, objective: "returnPct" })), one);
  assert.equal(one.length, 12);
});

Deno.test("walk-forward folds: rolling and anchored windows", () => {
  assert.deepEqual(walkForwardFolds(10, { isBars: 4, oosBars: 3 }), [
    { is: [0, 4], oos: [4, 7] },
    { is: [3, 7], oos: [7, 10] },
  ]);
  assert.deepEqual(walkForwardFolds(9, { isBars: 4, oosBars: 2, anchored: true }).map((f) => [f.is, f.oos]), [
    [[0, 4], [4, 6]],
    [[0, 6], [6, 8]],
    [[0, 8], [8, 9]],
  ]);
  assert.throws(() => walkForwardFolds(10, { isBars: 10, oosBars: 2 }), /needs more than isBars \(10\) bars/);
});

Deno.test("walk-forward on GOOG: IS picks match standalone searches, OOS segments stitch into one curve", async () => {
  const { series } = await loadBars(GOOG, { symbol: "GOOG" });
  const params = ["fast=5,10", "slow=30,60"];
  const result = await optimize({ setup, params, workers: 2, walkForward: { isBars: 1000, oosBars: 400 } });
  const wf = result.walkForward!;
  assert.equal(wf.folds.length, 3);
  assert.equal(wf.input.equity.length, series.length - 1000, "every OOS bar once");
  assert.deepEqual(wf.input.ts, series.ts.slice(1000));
  assert.equal(wf.report.start, series.ts[1000]);
  for (const fold of wf.folds) {
    const is = sliceSeries(series, series.ts[fold.is[0]], series.ts[fold.is[1]]);
    let best = -Infinity;
    for (const fast of [5, 10]) {
      for (const slow of [30, 60]) {
        const alone = await runBacktest({
          strategies: [{ id: "a", module: BUILT_INS.sma_cross, params: { fast, slow } }],
          data: [is],
          cash: 10_000,
        });
        best = Math.max(best, alone.report.sharpeRatio);
      }
    }
    assert.equal(fold.isObjective, best);
  }
  // The first OOS segment starts from the initial cash: its curve is the standalone run's (warm-up included).
  const f0 = wf.folds[0];
  const warm = (f0.best.slow as number) - 1;
  const alone = await runBacktest({
    strategies: [{ id: "a", module: BUILT_INS.sma_cross, params: f0.best }],
    data: [sliceSeries(series, series.ts[1000 - warm], series.ts[1400])],
    cash: 10_000,
  });
  assert.deepEqual(wf.input.equity.subarray(0, 400), alone.input.equity.subarray(warm));
});

Deno.test("stitching compounds: each segment starts at the previous one's end", () => {
  const seg = (equity: number[], start: number, t0: number) => ({
    ts: Float64Array.from(equity, (_, i) => t0 + i),
    equity: Float64Array.from(equity),
    close: Float64Array.from(equity),
    trades: [],
    start,
  });
  const input = segmentInput([seg([100, 110], 0, 0), seg([55, 55, 66], 1, 10)], 100);
  assert.deepEqual([...input.equity], [100, 110, 110, 132]);
  assert.deepEqual([...input.ts], [0, 1, 11, 12]);
});

Deno.test("a failed combination is recorded with its error and the search goes on (workers and in-thread)", async () => {
  const module = new URL("./fixtures/throws_at.ts", import.meta.url).href;
  for (const workers of [0, 2]) {
    const result = await optimize({
      setup: { ...setup, module },
      params: ["boom=1..4"],
      workers,
      objective: "returnPct",
    });
    assert.deepEqual(result.rows.map((r) => r.params.boom).sort(), [1, 3, 4], `workers ${workers}`);
    assert.equal(result.failed.length, 1);
    assert.deepEqual(result.failed[0].params, { boom: 2 });
    assert.equal(result.failed[0].index, 1);
    assert.match(result.failed[0].error, /boom at bar 10/);
  }
});

Deno.test("the run options reach every combination: limits, close at end and costs change the results", async () => {
  const params = ["fast=10", "slow=20,30"];
  const plain = await optimize({ setup, params, workers: 0, objective: "returnPct" });
  const limited = await optimize({ setup: { ...setup, risk: { maxPositionQty: 2 } }, params, workers: 0 });
  for (const row of limited.rows) {
    const alone = await runBacktest({
      strategies: [{ id: "alone", module: BUILT_INS.sma_cross, params: row.params }],
      data: [(await loadBars(GOOG, { symbol: "GOOG" })).series],
      cash: 10_000,
      risk: { maxPositionQty: 2 },
    });
    assert.deepEqual(row.report, alone.report);
  }
  const key = (r: Awaited<ReturnType<typeof optimize>>) => r.rows.map((x) => x.report.equityFinal).sort();
  assert.notDeepEqual(key(limited), key(plain));
  const closed = await optimize({ setup: { ...setup, closeAtEnd: true }, params, workers: 0 });
  assert.notDeepEqual(
    closed.rows.map((r) => r.report.tradeCount).sort(),
    plain.rows.map((r) => r.report.tradeCount).sort(),
  );
});

Deno.test("walk-forward: a failing candidate is recorded per fold and the others still pick a winner", async () => {
  const module = new URL("./fixtures/throws_at.ts", import.meta.url).href;
  const result = await optimize({
    setup: { ...setup, module },
    params: ["boom=1..3"],
    workers: 0,
    walkForward: { isBars: 500, oosBars: 500 },
  });
  const folds = result.walkForward!.folds;
  assert.ok(folds.length >= 2);
  for (const f of folds) assert.notEqual(f.best.boom, 2);
  assert.equal(result.failed.length, folds.length, "boom=2 fails on every fold's in-sample window");
  for (const f of result.failed) assert.deepEqual(f.params, { boom: 2 });
});
