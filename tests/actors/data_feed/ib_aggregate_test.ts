/** 5-second bars → closed timeframe bars: OHLCV folded, closed by the bucket's last bar or the next bucket's first, the bucket joined mid-way flagged partial. */
import assert from "node:assert/strict";
import { createAggregator } from "../../../actors/data_feed/ib/aggregate.ts";

const M = Date.UTC(2026, 11, 2, 15, 0);
const five = (s: number, close: number, volume = 1) => ({
  ts: M + s * 1000,
  open: close - 1,
  high: close + 1,
  low: close - 2,
  close,
  volume,
});

Deno.test("ib aggregate: twelve 5-second bars make one closed 1-minute bar, at the twelfth", () => {
  const agg = createAggregator("AAPL", "1m");
  for (let s = 0; s < 55; s += 5) assert.deepEqual(agg.push(five(s, 100 + s)), []);
  const [closed] = agg.push(five(55, 90, 4));
  assert.equal(closed.partial, false);
  assert.deepEqual(closed.bar, {
    symbol: "AAPL",
    timeframe: "1m",
    ts: M,
    open: 99,
    high: 151,
    low: 88,
    close: 90,
    volume: 15,
  });
});

Deno.test("ib aggregate: the bucket joined mid-way is partial; a missing last bar closes at the next bucket; old bars are ignored", () => {
  const agg = createAggregator("AAPL", "1m");
  assert.deepEqual(agg.push(five(30, 1)), []);
  const [partial] = agg.push(five(55, 2));
  assert.equal(partial.partial, true);
  assert.deepEqual(agg.push(five(60, 3)), []);
  assert.deepEqual(agg.push(five(50, 9)), [], "older than the last: ignored");
  const [late] = agg.push(five(125, 4)); // minute 1's last bar never came; minute 2 began
  assert.deepEqual([late.bar.ts, late.bar.close, late.partial], [M + 60_000, 3, false]);
});
