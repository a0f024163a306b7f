/**
 * Throughput of each indicator's incremental update over 1M synthetic bars. Prints one JSON line per indicator
 * (bench/row.ts): {"bench": "indicator_SMA(20)", "unit": "updates/s", "value", "updates", "ms"}.
 * Run: deno run bench/indicators_bench.ts [bars]
 */
import { seededRandom } from "../actors/runtime/random.ts";
import * as I from "../strategies/indicators/mod.ts";
import { printRow } from "./row.ts";

const n = Number(Deno.args[0] ?? 1_000_000);
const rnd = seededRandom(1);
const c = new Float64Array(n);
const h = new Float64Array(n);
const l = new Float64Array(n);
const v = new Float64Array(n);
const t = new Float64Array(n);
let p = 100;
for (let i = 0; i < n; i++) {
  const o = p;
  p = Math.max(1, p + rnd() - 0.5);
  c[i] = p;
  h[i] = Math.max(o, p) + rnd();
  l[i] = Math.min(o, p) - rnd();
  v[i] = 1 + Math.floor(rnd() * 1000);
  t[i] = i * 60_000;
}

type Feed = () => number;
const close = (ind: { update(x: number): unknown }): Feed => () => {
  let s = 0;
  for (let i = 0; i < n; i++) if (ind.update(c[i])) s++;
  return s;
};
const hlc = (ind: { update(h: number, l: number, c: number): unknown }): Feed => () => {
  let s = 0;
  for (let i = 0; i < n; i++) if (ind.update(h[i], l[i], c[i])) s++;
  return s;
};

const cases: [string, Feed][] = [
  ["SMA(20)", close(I.SMA(20))],
  ["EMA(20)", close(I.EMA(20))],
  ["WMA(20)", close(I.WMA(20))],
  ["DEMA(20)", close(I.DEMA(20))],
  ["TEMA(20)", close(I.TEMA(20))],
  ["RSI(14)", close(I.RSI(14))],
  ["MACD(12,26,9)", close(I.MACD())],
  ["Bollinger(20,2)", close(I.Bollinger())],
  ["ATR(14)", hlc(I.ATR(14))],
  ["Stochastic(14,3,3)", hlc(I.Stochastic())],
  ["WilliamsR(14)", hlc(I.WilliamsR(14))],
  ["ADX(14)", hlc(I.ADX(14))],
  ["CCI(20)", hlc(I.CCI(20))],
  ["ROC(10)", close(I.ROC(10))],
  ["Momentum(10)", close(I.Momentum(10))],
  ["OBV", () => {
    const o = I.OBV();
    let s = 0;
    for (let i = 0; i < n; i++) s += o.update(c[i], v[i]);
    return s;
  }],
  ["VWAP(utcDay)", () => {
    const o = I.VWAP({ session: "utcDay" });
    let s = 0;
    for (let i = 0; i < n; i++) s += o.update(h[i], l[i], c[i], v[i], t[i]);
    return s;
  }],
  ["Donchian(20)", () => {
    const o = I.Donchian(20);
    let s = 0;
    for (let i = 0; i < n; i++) s += o.update(h[i], l[i]).upper;
    return s;
  }],
  ["Keltner(20,2,10)", hlc(I.Keltner())],
  ["Highest(20)", close(I.Highest(20))],
  ["Lowest(20)", close(I.Lowest(20))],
  ["StdDev(20)", close(I.StdDev(20))],
  ["ZScore(20)", close(I.ZScore(20))],
];

for (const [name, run] of cases) {
  run(); // warm the JIT on a first pass
  const t0 = performance.now();
  run();
  const ms = performance.now() - t0;
  printRow({
    bench: `indicator_${name}`,
    unit: "updates/s",
    value: Math.round(n / ms * 1000),
    updates: n,
    ms: Math.round(ms),
  });
}
