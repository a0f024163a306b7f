/**
 * Modify in backtests, through the real actors (supervisor → risk guardian → simulated exchange), on bars and ticks.
 * Before `modify` existed a resting order or a bracket's exits could not move: each test shows the run without the
 * modify (or the trailing stop) ending differently. Expected fills are worked out by hand in the comments.
 */
import assert from "node:assert/strict";
import { runBacktest } from "../../backtest/engine.ts";
import { parseCsv } from "../../storage/bars/mod.ts";
import { parseTicksCsv, type TickSeries, ticksToBars } from "../../storage/ticks/mod.ts";
import { buy, modify, sell } from "../../strategies/api.ts";
import { reset, script, seen } from "./fixtures/modify_script.ts";

const SCRIPT = new URL("./fixtures/modify_script.ts", import.meta.url).href;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 1);

/** Daily bars from [open, high, low, close] rows, from 2024-01-01. */
function bars(rows: [number, number, number, number][]) {
  const text = ",Open,High,Low,Close,Volume\n" +
    rows.map(([o, h, l, c], i) => `${new Date(T0 + i * DAY).toISOString().slice(0, 10)},${o},${h},${l},${c},1000`)
      .join("\n");
  return parseCsv(text, { symbol: "X", timeframe: "1d", file: "x.csv" });
}

async function runBars(rows: [number, number, number, number][], risk?: Record<string, number>) {
  return await runBacktest({
    strategies: [{ id: "s", module: SCRIPT }],
    data: [bars(rows)],
    cash: 100_000,
    ...(risk ? { risk } : {}),
  });
}

const fills = () => seen.fills.map((f) => [f.side, f.qty, f.price, (f.ts - T0) / DAY]);
const modified = () => seen.events.filter((e) => e.type === "OrderModified").map((e) => e.clientOrderId);
const refused = () =>
  seen.events.flatMap((e) => e.type === "OrderModifyRejected" ? [{ id: e.clientOrderId, reason: e.reason }] : []);

// A long entered at 100 with a stop-loss at 95; a 3-point trailing stop from each close.
// bar 1: entry fills at the open, 100; close 102 → stop 99.   bar 2: low 101 holds; close 105 → stop 102.
// bar 3: low 103 holds; close 104 → 101 is below 102: the stop stays (it only ratchets up).
// bar 4: opens 104, low 100 → the stop at 102 fills at 102.   Untrailed, the stop at 95 fills on bar 5 at 95.
const TREND: [number, number, number, number][] = [
  [100, 101, 99, 100],
  [100, 103, 99, 102],
  [102, 106, 101, 105],
  [105, 105, 103, 104],
  [104, 104, 100, 101],
  [101, 101, 94, 95],
  [95, 96, 94, 95],
];

Deno.test("modify: a trailing stop ratchets the stop-loss up and exits at the trailed level", async () => {
  reset();
  script.bars.set(0, [buy({ qty: 10, stopLoss: 95 })]);
  script.trail = { distance: 3 };
  await runBars(TREND);
  assert.deepEqual(fills(), [["buy", 10, 100, 1], ["sell", 10, 102, 4]]);
  assert.deepEqual(modified().filter((id) => id === "s-1"), ["s-1", "s-1"], "moved twice (to 99, then 102)");

  reset();
  script.bars.set(0, [buy({ qty: 10, stopLoss: 95 })]);
  await runBars(TREND);
  assert.deepEqual(fills(), [["buy", 10, 100, 1], ["sell", 10, 95, 5]], "without trailing: the original stop");
});

Deno.test("modify: a percent trailing stop on a short ratchets down only", async () => {
  reset();
  // Short 10 at 100 (bar 1's open), stop-loss 110; 2 % trail from each close.
  // bar 1 close 98 → 99.96; bar 2 close 95 → 96.9; bar 3 (high 96.5 holds) close 96 → 97.92, above 96.9: kept;
  // bar 4 opens at 97, above the stop: it fills at the open, 97 (the gap rule).
  script.bars.set(0, [sell({ qty: 10, stopLoss: 110 })]);
  script.trail = { percent: 2 };
  await runBars([[100, 100, 99, 100], [100, 100, 97, 98], [98, 98, 94, 95], [95, 96.5, 94.5, 96], [97, 98, 96, 97]]);
  assert.deepEqual(fills(), [["sell", 10, 100, 1], ["buy", 10, 97, 4]]);
});

Deno.test("modify: a resting limit's price and quantity change in place and it fills as changed", async () => {
  reset();
  // A buy limit at 95 for 5; on bar 1 it moves to 97 for 8. Bar 2 trades down to 96.5: it fills 8 at 97.
  script.bars.set(0, [buy({ qty: 5, limit: 95 })]);
  script.bars.set(1, [modify("s-1", { limitPrice: 97, qty: 8 })]);
  const rows: [number, number, number, number][] = [[100, 100, 98, 99], [99, 100, 98, 99], [99, 100, 96.5, 98], [
    98,
    99,
    97,
    98,
  ]];
  await runBars(rows);
  assert.deepEqual(fills(), [["buy", 8, 97, 2]]);
  assert.deepEqual(modified(), ["s-1"]);

  reset();
  script.bars.set(0, [buy({ qty: 5, limit: 95 })]);
  await runBars(rows);
  assert.deepEqual(fills(), [], "unmodified, the limit at 95 never fills");
});

Deno.test("modify: a bracket's stop-loss and take-profit move after the entry filled (bars)", async () => {
  reset();
  // Long 10 at 100 (bar 1's open) with exits 90 / 120; on bar 1 they move to 98 / 104. Bar 2 reaches 105:
  // the take-profit at 104 fills at 104 (the open, 101, is below it).
  script.bars.set(0, [buy({ qty: 10, stopLoss: 90, takeProfit: 120 })]);
  script.bars.set(1, [modify({ trade: "s-1" }, { stopLoss: 98, takeProfit: 104 })]);
  await runBars([[100, 100, 99, 100], [100, 102, 99, 101], [101, 105, 100, 104], [104, 104, 97, 97]]);
  assert.deepEqual(fills(), [["buy", 10, 100, 1], ["sell", 10, 104, 2]]);
  assert.deepEqual(modified().sort(), ["s-1", "s-1-sl", "s-1-tp"]);

  reset();
  // The same run where only the stop-loss moves (to 98): bar 3 trades down to 97 → out at 98, not at 90.
  script.bars.set(0, [buy({ qty: 10, stopLoss: 90, takeProfit: 120 })]);
  script.bars.set(1, [modify({ trade: "s-1" }, { stopLoss: 98 })]);
  await runBars([[100, 100, 99, 100], [100, 102, 99, 101], [101, 105, 100, 104], [104, 104, 97, 97]]);
  assert.deepEqual(fills(), [["buy", 10, 100, 1], ["sell", 10, 98, 3]]);
});

Deno.test("modify: a bracket entry still resting gets its exits changed before it fills", async () => {
  reset();
  // A buy limit at 99 with a stop-loss at 90; on bar 0's close the stop-loss moves to 97 (still resting).
  // Bar 1: fills at 99; bar 2's low 96 takes the stop at 97.
  script.bars.set(0, [buy({ qty: 1, limit: 99, stopLoss: 90 }), modify("s-1", { stopLoss: 97 })]);
  await runBars([[100, 100, 100, 100], [100, 100, 98.5, 99], [99, 99, 96, 96]]);
  assert.deepEqual(fills(), [["buy", 1, 99, 1], ["sell", 1, 97, 2]]);
});

Deno.test("modify: a modify after the order filled is refused cleanly; the run goes on", async () => {
  reset();
  script.bars.set(0, [buy({ qty: 2 })]);
  script.bars.set(2, [modify("s-1", { qty: 5 }), modify("nobody-1", { limitPrice: 5 }), sell({ qty: 2 })]);
  await runBars([[100, 100, 100, 100], [101, 101, 101, 101], [102, 102, 102, 102], [103, 103, 103, 103]]);
  assert.deepEqual(fills(), [["buy", 2, 101, 1], ["sell", 2, 103, 3]]);
  const r = refused();
  assert.equal(r.length, 2);
  assert.match(r[0].reason, /s-1 is not open \(filled, closed or unknown\)/);
  assert.match(r[1].reason, /not open|not an order of s/);
  assert.equal(modified().length, 0);
});

Deno.test("modify: raising a limit's quantity past the risk limit is denied; the order keeps its size", async () => {
  reset();
  script.bars.set(0, [buy({ qty: 5, limit: 95 })]);
  script.bars.set(1, [modify("s-1", { qty: 50, limitPrice: 98 })]);
  await runBars([[100, 100, 99, 100], [99, 100, 99, 99], [99, 99, 90, 91]], { maxPositionQty: 10 });
  assert.deepEqual(fills(), [["buy", 5, 95, 2]], "filled as it was: 5 at 95");
  const [r] = refused();
  assert.match(r.reason, /beyond the limit of 10/);
});

// ---- ticks ----

const sec = (s: number) => T0 + s * 1000;
function trades(rows: [number, number][]): TickSeries {
  return parseTicksCsv("ts,price,size\n" + rows.map(([t, p]) => `${sec(t)},${p},5`).join("\n"), "t.csv", {
    symbol: "X",
  });
}
async function runTicks(ticks: TickSeries) {
  await runBacktest({
    strategies: [{ id: "s", module: SCRIPT }],
    data: [ticksToBars(ticks, "1m")],
    ticks: [ticks],
    cash: 100_000,
    sim: { defaultStep: 0.001 } as never,
  });
}
const tickFills = () => seen.fills.map((f) => [f.side, f.qty, f.price, (f.ts - T0) / 1000]);

Deno.test("modify (ticks): a bracket's stop-loss moved up exits at the touch of the new level", async () => {
  reset();
  // Buy 1 at tick 0 with a stop at 95: fills at tick 1 (101). At tick 2 (103) the stop moves to 100.
  // Tick 4 trades 99.5 ≤ 100: the stop fills there. Without the modify it would wait for 95 (tick 6: 94).
  const ticks = trades([[0, 100], [1, 101], [2, 103], [3, 102], [4, 99.5], [5, 97], [6, 94]]);
  script.ticks.set(0, [buy({ qty: 1, stopLoss: 95, takeProfit: 110 })]);
  script.ticks.set(2, [modify({ trade: "s-1" }, { stopLoss: 100 })]);
  await runTicks(ticks);
  assert.deepEqual(tickFills(), [["buy", 1, 101, 1], ["sell", 1, 99.5, 4]]);

  reset();
  script.ticks.set(0, [buy({ qty: 1, stopLoss: 95, takeProfit: 110 })]);
  await runTicks(ticks);
  assert.deepEqual(tickFills(), [["buy", 1, 101, 1], ["sell", 1, 94, 6]]);
});

Deno.test("modify (ticks): a take-profit moved down arrives again: it takes the next print at or through it", async () => {
  reset();
  // Long at 101 (tick 1); at tick 2 the take-profit moves from 110 to 102.5. A moved order arrives again (it lost
  // its place), so tick 3's print at 102.5 is marketable for it: it takes 102.5 there, as a taker. Unmoved, the
  // take-profit at 110 never fills.
  script.ticks.set(0, [buy({ qty: 1, stopLoss: 95, takeProfit: 110 })]);
  script.ticks.set(2, [modify({ trade: "s-1" }, { takeProfit: 102.5 })]);
  await runTicks(trades([[0, 100], [1, 101], [2, 102], [3, 102.5], [4, 103], [5, 104]]));
  assert.deepEqual(seen.fills.map((f) => [f.side, f.price, (f.ts - T0) / 1000, f.liquidity]), [
    ["buy", 101, 1, "taker"],
    ["sell", 102.5, 3, "taker"],
  ]);
});

Deno.test("modify (ticks): a limit moved through the touch arrives again and takes liquidity", async () => {
  reset();
  // A buy limit at 95 rests; at tick 2 it moves to 101 with the market at 100: on tick 3 (100.5) it is
  // marketable on arrival and takes the touch, 100.5 (taker).
  script.ticks.set(0, [buy({ qty: 1, limit: 95 })]);
  script.ticks.set(2, [modify("s-1", { limitPrice: 101 })]);
  await runTicks(trades([[0, 100], [1, 99], [2, 100], [3, 100.5], [4, 102]]));
  assert.deepEqual(seen.fills.map((f) => [f.price, (f.ts - T0) / 1000, f.liquidity]), [[100.5, 3, "taker"]]);
});

Deno.test("modify (ticks): a trailing stop from each tick's price", async () => {
  reset();
  // Long at 100 (tick 1) with a stop at 90; trail 2 from each tick: 98 (t1) → 101 (t2, 103) → 102 (t3, 104);
  // tick 4 (103.5) would give 101.5: kept at 102. Tick 5 prints 101.9 ≤ 102: out at 101.9.
  script.ticks.set(0, [buy({ qty: 1, stopLoss: 90 })]);
  script.trail = { distance: 2 };
  script.trailTicks = true;
  await runTicks(trades([[0, 99], [1, 100], [2, 103], [3, 104], [4, 103.5], [5, 101.9], [6, 99]]));
  assert.deepEqual(tickFills(), [["buy", 1, 100, 1], ["sell", 1, 101.9, 5]]);
});
