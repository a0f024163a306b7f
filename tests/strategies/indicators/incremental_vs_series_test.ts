/**
 * Every indicator's incremental form and array form agree exactly, `value` repeats the last update, `ready` turns
 * true exactly at the documented warm-up index, outputs are finite from then on, and reset() replays identically.
 */
import assert from "node:assert/strict";
import { assertSameSeries } from "./_helpers.ts";
import { randomBars } from "./_bars.ts";
import * as I from "../../../strategies/indicators/mod.ts";

const N = 600;
const b = randomBars(N);
const { high: h, low: l, close: c, volume: v, time: t } = b;

// deno-lint-ignore no-explicit-any
type AnyIndicator = I.Indicator<any[], number | object>;

interface Case {
  name: string;
  make: () => AnyIndicator;
  feed: (ind: AnyIndicator, i: number) => number | object;
  series: () => Float64Array | Record<string, Float64Array>;
  /** First index at which `ready` is true. */
  warm: number;
}

const C = (ind: AnyIndicator, i: number) => ind.update(c[i]);
const HLC = (ind: AnyIndicator, i: number) => ind.update(h[i], l[i], c[i]);

const cases: Case[] = [
  { name: "SMA(20)", make: () => I.SMA(20), feed: C, series: () => I.smaSeries(c, 20), warm: 19 },
  { name: "EMA(20)", make: () => I.EMA(20), feed: C, series: () => I.emaSeries(c, 20), warm: 19 },
  {
    name: "EMA(20, first)",
    make: () => I.EMA(20, { seed: "first" }),
    feed: C,
    series: () => I.emaSeries(c, 20, { seed: "first" }),
    warm: 0,
  },
  { name: "WMA(20)", make: () => I.WMA(20), feed: C, series: () => I.wmaSeries(c, 20), warm: 19 },
  { name: "DEMA(20)", make: () => I.DEMA(20), feed: C, series: () => I.demaSeries(c, 20), warm: 19 },
  { name: "TEMA(20)", make: () => I.TEMA(20), feed: C, series: () => I.temaSeries(c, 20), warm: 19 },
  { name: "RSI(14)", make: () => I.RSI(14), feed: C, series: () => I.rsiSeries(c, 14), warm: 14 },
  { name: "MACD(12,26,9)", make: () => I.MACD(), feed: C, series: () => I.macdSeries(c), warm: 33 },
  {
    name: "MACD(12,26,9, first)",
    make: () => I.MACD(12, 26, 9, { seed: "first" }),
    feed: C,
    series: () => I.macdSeries(c, 12, 26, 9, { seed: "first" }),
    warm: 0,
  },
  { name: "Bollinger(20,2)", make: () => I.Bollinger(), feed: C, series: () => I.bollingerSeries(c), warm: 19 },
  { name: "TR", make: () => I.TR(), feed: HLC, series: () => I.trSeries(h, l, c), warm: 1 },
  { name: "ATR(14)", make: () => I.ATR(14), feed: HLC, series: () => I.atrSeries(h, l, c, 14), warm: 14 },
  {
    name: "ATR(14, range)",
    make: () => I.ATR(14, { firstBar: "range" }),
    feed: HLC,
    series: () => I.atrSeries(h, l, c, 14, { firstBar: "range" }),
    warm: 13,
  },
  {
    name: "Stochastic(14,3,3)",
    make: () => I.Stochastic(),
    feed: HLC,
    series: () => I.stochasticSeries(h, l, c),
    warm: 17,
  },
  {
    name: "Stochastic(5,10,1)",
    make: () => I.Stochastic(5, 10, 1),
    feed: HLC,
    series: () => I.stochasticSeries(h, l, c, 5, 10, 1),
    warm: 13,
  },
  { name: "WilliamsR(14)", make: () => I.WilliamsR(14), feed: HLC, series: () => I.williamsRSeries(h, l, c), warm: 13 },
  { name: "ADX(14)", make: () => I.ADX(14), feed: HLC, series: () => I.adxSeries(h, l, c, 14), warm: 27 },
  { name: "CCI(20)", make: () => I.CCI(20), feed: HLC, series: () => I.cciSeries(h, l, c, 20), warm: 19 },
  { name: "ROC(10)", make: () => I.ROC(10), feed: C, series: () => I.rocSeries(c, 10), warm: 10 },
  { name: "Momentum(10)", make: () => I.Momentum(10), feed: C, series: () => I.momentumSeries(c, 10), warm: 10 },
  { name: "OBV", make: () => I.OBV(), feed: (o, i) => o.update(c[i], v[i]), series: () => I.obvSeries(c, v), warm: 0 },
  {
    name: "VWAP",
    make: () => I.VWAP(),
    feed: (o, i) => o.update(h[i], l[i], c[i], v[i]),
    series: () => I.vwapSeries(h, l, c, v),
    warm: 0,
  },
  {
    name: "VWAP(utcDay)",
    make: () => I.VWAP({ session: "utcDay" }),
    feed: (o, i) => o.update(h[i], l[i], c[i], v[i], t[i]),
    series: () => I.vwapSeries(h, l, c, v, { session: "utcDay", time: t }),
    warm: 0,
  },
  {
    name: "Donchian(20)",
    make: () => I.Donchian(20),
    feed: (o, i) => o.update(h[i], l[i]),
    series: () => I.donchianSeries(h, l, 20),
    warm: 19,
  },
  { name: "Keltner(20,2,10)", make: () => I.Keltner(), feed: HLC, series: () => I.keltnerSeries(h, l, c), warm: 19 },
  {
    name: "Keltner(5,2,10)",
    make: () => I.Keltner(5, 2, 10),
    feed: HLC,
    series: () => I.keltnerSeries(h, l, c, 5, 2, 10),
    warm: 10,
  },
  { name: "Highest(7)", make: () => I.Highest(7), feed: C, series: () => I.highestSeries(c, 7), warm: 6 },
  { name: "Lowest(7)", make: () => I.Lowest(7), feed: C, series: () => I.lowestSeries(c, 7), warm: 6 },
  { name: "StdDev(20)", make: () => I.StdDev(20), feed: C, series: () => I.stdDevSeries(c, 20), warm: 19 },
  {
    name: "StdDev(20, sample)",
    make: () => I.StdDev(20, { sample: true }),
    feed: C,
    series: () => I.stdDevSeries(c, 20, { sample: true }),
    warm: 19,
  },
  { name: "ZScore(20)", make: () => I.ZScore(20), feed: C, series: () => I.zScoreSeries(c, 20), warm: 19 },
];

/** Runs the incremental form, checking value/ready on the way; returns one column per output field. */
function runIncremental(k: Case, ind: AnyIndicator): Record<string, Float64Array> {
  const cols: Record<string, Float64Array> = {};
  for (let i = 0; i < N; i++) {
    const out = k.feed(ind, i);
    assert.equal(ind.value, out, `${k.name}[${i}]: value repeats the update's result`);
    assert.equal(ind.ready, i >= k.warm, `${k.name}[${i}]: ready`);
    const fields = typeof out === "number" ? { value: out } : (out as Record<string, number>);
    for (const [f, x] of Object.entries(fields)) {
      (cols[f] ??= new Float64Array(N))[i] = x;
      if (i >= k.warm) assert.ok(Number.isFinite(x), `${k.name}.${f}[${i}] finite once ready, got ${x}`);
    }
    if (typeof out === "number" && i < k.warm) assert.ok(Number.isNaN(out), `${k.name}[${i}] NaN in warm-up`);
  }
  return cols;
}

for (const k of cases) {
  Deno.test(`incremental = series, warm-up and reset: ${k.name}`, () => {
    const ind = k.make();
    const first = runIncremental(k, ind);
    const s = k.series();
    const series = s instanceof Float64Array ? { value: s } : s;
    assert.deepEqual(Object.keys(series).sort(), Object.keys(first).sort(), "same output fields");
    for (const f of Object.keys(series)) assertSameSeries(first[f], series[f], `${k.name}.${f}`);
    ind.reset();
    assert.equal(ind.ready, false, "not ready after reset");
    const again = runIncremental(k, ind);
    for (const f of Object.keys(first)) assertSameSeries(again[f], first[f], `${k.name}.${f} after reset`);
  });
}

Deno.test("multi-output indicators return the same result object on every update", () => {
  const m = I.MACD();
  const r0 = m.update(1);
  assert.equal(m.update(2), r0);
});
