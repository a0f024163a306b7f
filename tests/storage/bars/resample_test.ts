import assert from "node:assert/strict";
import type { BarSeries } from "../../../actors/protocol/mod.ts";
import { loadBars, parseJsonCandles, resample } from "../../../storage/bars/mod.ts";
import { dataUrl } from "./data_path.ts";

const load = async (file: string) => (await loadBars(dataUrl(`freqtrade/${file}.json`))).series;

function row(s: BarSeries, i: number): number[] {
  return [s.ts[i], s.open[i], s.high[i], s.low[i], s.close[i], s.volume[i]];
}

Deno.test("resample: freqtrade's UNITTEST_BTC-1m and -5m do not overlap in time, so XRP_ETH is compared instead", async () => {
  const m1 = await load("UNITTEST_BTC-1m");
  const m5 = await load("UNITTEST_BTC-5m");
  assert.ok(m1.ts[m1.length - 1] < m5.ts[0]); // 2017-11-14 vs 2018-01-10
});

Deno.test("resample 1m→5m: XRP_ETH matches Binance's own 5m candles", async () => {
  const m1 = await load("XRP_ETH-1m");
  const m5 = await load("XRP_ETH-5m");
  const plain = resample(m1, "5m");
  // 1m covers 00:00..11:19 on 10-13, so its last bucket (11:15) is complete: the buckets are the same.
  assert.equal(plain.length, m5.length);
  let exact = 0, differ = 0;
  for (let i = 0; i < m5.length; i++) {
    assert.equal(plain.ts[i], m5.ts[i]);
    // Close and volume always agree.
    assert.equal(plain.close[i], m5.close[i]);
    assert.ok(Math.abs(plain.volume[i] - m5.volume[i]) <= 1e-9 * m5.volume[i]);
    if (row(plain, i).join() === row(m5, i).join()) {
      exact++;
      continue;
    }
    differ++;
    // Where they differ, the bucket starts with a no-trade filler minute (volume 0, prices = previous close):
    // Binance's 5m candle opens at the first real trade instead.
    const first = m1.ts.indexOf(m5.ts[i]);
    assert.equal(m1.volume[first], 0);
  }
  assert.equal(exact, 529);
  assert.equal(differ, 183);

  const binance = resample(m1, "5m", { skipNoTradeBars: true });
  for (let i = 0; i < m5.length; i++) {
    assert.deepEqual(row(binance, i), row(m5, i), `bucket ${i}`);
  }
});

Deno.test("resample 5m→1h: invariants on UNITTEST_BTC-5m", async () => {
  const m5 = await load("UNITTEST_BTC-5m");
  const h1 = resample(m5, "1h");
  assert.equal(h1.timeframe, "1h");
  assert.equal(h1.symbol, "UNITTEST/BTC");
  // 04:55..04:50 twenty days later: a 1-bar partial first hour, 479 full hours, an 11-bar partial last hour.
  assert.equal(h1.length, 481);
  let volume5 = 0, volume1 = 0;
  for (let i = 0; i < m5.length; i++) volume5 += m5.volume[i];
  let j = 0;
  for (let b = 0; b < h1.length; b++) {
    assert.equal(h1.ts[b] % 3_600_000, 0);
    const start = j;
    let high = -Infinity, low = Infinity;
    while (j < m5.length && m5.ts[j] < h1.ts[b] + 3_600_000) {
      high = Math.max(high, m5.high[j]);
      low = Math.min(low, m5.low[j]);
      j++;
    }
    assert.ok(j > start, "no empty bucket");
    assert.equal(h1.open[b], m5.open[start]);
    assert.equal(h1.close[b], m5.close[j - 1]);
    assert.equal(h1.high[b], high);
    assert.equal(h1.low[b], low);
    assert.ok(h1.low[b] <= Math.min(h1.open[b], h1.close[b]) && h1.high[b] >= Math.max(h1.open[b], h1.close[b]));
    volume1 += h1.volume[b];
  }
  assert.equal(j, m5.length);
  assert.ok(Math.abs(volume1 - volume5) < 1e-6 * volume5);
  // Resampling in steps gives the same bars as in one go (volume up to float summation order).
  const stepwise = resample(resample(m5, "15m"), "1h");
  assert.deepEqual([stepwise.ts, stepwise.open, stepwise.high, stepwise.low, stepwise.close], [
    h1.ts,
    h1.open,
    h1.high,
    h1.low,
    h1.close,
  ]);
  for (let b = 0; b < h1.length; b++) assert.ok(Math.abs(stepwise.volume[b] - h1.volume[b]) <= 1e-9 * h1.volume[b]);
});

Deno.test("resample: a bucket without source bars is absent, not synthesised", () => {
  const s = parseJsonCandles(
    JSON.stringify([
      [Date.parse("2024-01-01T00:00Z"), 1, 2, 1, 2, 1],
      [Date.parse("2024-01-01T00:30Z"), 2, 3, 2, 3, 1],
      [Date.parse("2024-01-01T03:10Z"), 3, 4, 3, 4, 1],
    ]),
    { symbol: "X", timeframe: "1m" },
  );
  const h = resample(s, "1h");
  assert.deepEqual([...h.ts].map((t) => new Date(t).toISOString()), [
    "2024-01-01T00:00:00.000Z",
    "2024-01-01T03:00:00.000Z",
  ]);
  assert.deepEqual([h.open[0], h.high[0], h.low[0], h.close[0], h.volume[0]], [1, 3, 1, 3, 2]);
});

Deno.test("resample: daily and weekly buckets are aligned to UTC, weeks to a chosen origin", async () => {
  const m1 = await load("UNITTEST_BTC-1m"); // 2017-11-04 23:02 .. 2017-11-14 22:59, with gaps
  const d1 = resample(m1, "1d");
  assert.equal(d1.length, 11);
  assert.equal(new Date(d1.ts[0]).toISOString(), "2017-11-04T00:00:00.000Z");
  const thursdays = resample(m1, "1w");
  assert.deepEqual([...thursdays.ts].map((t) => new Date(t).getUTCDay()), [4, 4]);
  const mondays = resample(m1, "1w", { originMs: 4 * 86_400_000 });
  assert.deepEqual([...mondays.ts].map((t) => new Date(t).toISOString().slice(0, 10)), [
    "2017-10-30",
    "2017-11-06",
    "2017-11-13",
  ]);
});

Deno.test("resample: only to whole multiples of the source timeframe", async () => {
  const m5 = await load("XRP_ETH-5m");
  assert.throws(() => resample(m5, "1m"), {
    name: "RangeError",
    message: "cannot resample 5m bars to 1m: not a whole multiple",
  });
  const m3 = { ...m5, timeframe: "3m" } as const;
  assert.throws(() => resample(m3, "5m"), RangeError);
  assert.deepEqual(resample(m5, "5m"), m5);
});
