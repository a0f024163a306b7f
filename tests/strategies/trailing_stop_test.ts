/**
 * The trailing-stop helper (strategies/trailing.ts) on its own (a context with one filled bracket) and in the example
 * strategy backtested on real data.
 */
import assert from "node:assert/strict";
import { loadBars } from "../../storage/bars/mod.ts";
import { runBacktest } from "../../backtest/engine.ts";
import type { BracketView, History, StrategyContext } from "../../strategies/api.ts";
import { trailingStop } from "../../strategies/trailing.ts";

const GOOG = new URL("../../examples/data/GOOG.csv", import.meta.url);
const EXAMPLE = new URL("../../examples/trailing_stop.ts", import.meta.url).href;

/** A context with one bracket and a history of [high, low, close] rows, newest last. */
function ctx(bracket: BracketView, position: number, rows: [number, number, number][]): StrategyContext {
  const at = (ago: number) => rows[rows.length - 1 - ago];
  const history = {
    length: rows.length,
    high: (ago = 0) => at(ago)[0],
    low: (ago = 0) => at(ago)[1],
    close: (ago = 0) => at(ago)[2],
  } as unknown as History;
  return {
    symbol: "X",
    history: () => history,
    position: () => position,
    brackets: () => [bracket],
  } as unknown as StrategyContext;
}

const long: BracketView = { parent: "s-1", symbol: "X", side: "buy", stopLoss: 95, entryFilled: 1 };

Deno.test("trailingStop: moves a long's stop up to close − distance, never down", () => {
  assert.deepEqual(trailingStop(ctx(long, 1, [[101, 99, 100]]), { distance: 3 }), [
    { type: "modify", target: { trade: "s-1" }, changes: { stopLoss: 97 } },
  ]);
  assert.deepEqual(trailingStop(ctx(long, 1, [[98, 96, 97]]), { distance: 3 }), [], "94 is below 95: kept");
});

Deno.test("trailingStop: a short's stop moves down only; percent of the price", () => {
  const short: BracketView = { ...long, side: "sell", stopLoss: 110 };
  assert.deepEqual(trailingStop(ctx(short, -1, [[101, 99, 100]]), { percent: 5 }), [
    { type: "modify", target: { trade: "s-1" }, changes: { stopLoss: 105 } },
  ]);
  assert.deepEqual(trailingStop(ctx(short, -1, [[101, 99, 100]]), { percent: 11 }), []);
});

Deno.test("trailingStop: ATR is the mean true range of the last `period` bars (backtesting.py's)", () => {
  // True ranges of the last two bars: max(104−100, |104−101|, |100−101|) = 4; max(106−103, |106−103|, |103−103|) = 3.
  const rows: [number, number, number][] = [[102, 100, 101], [104, 100, 103], [106, 103, 105]];
  assert.deepEqual(trailingStop(ctx(long, 1, rows), { atr: { period: 2, multiple: 2 } }), [
    { type: "modify", target: { trade: "s-1" }, changes: { stopLoss: 105 - 3.5 * 2 } },
  ]);
  assert.deepEqual(trailingStop(ctx(long, 1, rows.slice(1)), { atr: { period: 2, multiple: 2 } }), [], "warm-up");
});

Deno.test("trailingStop: nothing for an unfilled entry, a flat position, or a bracket without a stop", () => {
  assert.deepEqual(trailingStop(ctx({ ...long, entryFilled: 0 }, 1, [[101, 99, 100]]), { distance: 1 }), []);
  assert.deepEqual(trailingStop(ctx(long, 0, [[101, 99, 100]]), { distance: 1 }), []);
  const { stopLoss: _, ...noStop } = long;
  assert.deepEqual(trailingStop(ctx(noStop, 1, [[101, 99, 100]]), { distance: 1 }), []);
  assert.throws(() => trailingStop(ctx(long, 1, [[101, 99, 100]]), { distance: 1, percent: 1 }), /exactly one/);
  assert.throws(() => trailingStop(ctx(long, 1, [[101, 99, 100]]), { distance: -1 }), /distance must be > 0/);
});

Deno.test("examples/trailing_stop.ts: the trailed stops end trades higher than the fixed initial stops", async () => {
  const { series } = await loadBars(GOOG, { symbol: "GOOG" });
  const run = (trail: boolean) =>
    runBacktest({ strategies: [{ id: "t", module: EXAMPLE, params: { trail } }], data: [series], cash: 10_000 });
  const trailed = await run(true);
  const fixed = await run(false);
  assert.ok(trailed.report.tradeCount > 0 && fixed.report.tradeCount > 0, "both trade");
  // The same entries (the first one at least): a trailed stop only ever sits at or above the fixed one, so the first
  // trade's exit is no earlier-and-lower; over the run the exits differ.
  const [t0, f0] = [trailed.input.trades[0], fixed.input.trades[0]];
  assert.equal(t0.entryTime, f0.entryTime);
  assert.ok(t0.exitTime <= f0.exitTime, "a higher stop is hit no later");
  assert.notDeepEqual(
    trailed.input.trades.map((t) => [t.exitTime, t.exitPrice]),
    fixed.input.trades.map((t) => [t.exitTime, t.exitPrice]),
  );
});
