/**
 * No look-ahead: run through the real actors, a strategy sees a bar only once it has closed, its history never
 * holds a later bar, and an order placed on bar i fills at bar i+1's open.
 */
import assert from "node:assert/strict";
import { loadBars } from "../../storage/bars/mod.ts";
import { runBacktest } from "../../backtest/engine.ts";
import { TIMEFRAME_MS } from "../../actors/protocol/mod.ts";
import { fills, orders, seen } from "./fixtures/probe_strategy.ts";

const GOOG = new URL("../../../shared/data/backtesting_py/GOOG.csv", import.meta.url);
const PROBE = new URL("./fixtures/probe_strategy.ts", import.meta.url).href;

Deno.test("a strategy cannot see a bar before it closes, and its orders fill at the next open", async () => {
  const { series } = await loadBars(GOOG, { symbol: "GOOG" });
  const tf = TIMEFRAME_MS[series.timeframe];
  await runBacktest({ strategies: [{ id: "probe", module: PROBE }], data: [series], cash: 100_000 });

  assert.equal(seen.length, series.length, "one onBar per bar");
  for (const s of seen) {
    assert.equal(s.barTs, series.ts[s.index], `bar ${s.index} in order`);
    assert.ok(s.now >= s.barTs + tf, `bar ${s.index}: handled at ${s.now}, before its close ${s.barTs + tf}`);
    assert.equal(s.historyTs, s.barTs, `bar ${s.index}: the newest history bar is the bar itself`);
    assert.ok(s.maxHistoryTs <= s.barTs, `bar ${s.index}: history holds a later bar`);
    assert.equal(s.historyLength, Math.min(s.index + 1, 500), `bar ${s.index}: history length`);
  }

  assert.ok(orders.length > 100);
  // The last order may be placed on the last bar and never fill.
  const filled = orders.filter((o) => o.index + 1 < series.length);
  assert.equal(fills.length, filled.length);
  filled.forEach((o, k) => {
    const f = fills[k];
    assert.equal(f.side, o.side);
    assert.equal(f.ts, series.ts[o.index + 1], `order on bar ${o.index} fills on bar ${o.index + 1}`);
    assert.equal(f.price, series.open[o.index + 1], `order on bar ${o.index} fills at the next open`);
  });
});
