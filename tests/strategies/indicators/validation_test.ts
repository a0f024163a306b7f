/** Invalid parameters fail fast with a RangeError that names the parameter. */
import assert from "node:assert/strict";
import * as I from "../../../strategies/indicators/mod.ts";

const BAD_PERIODS = [0, -1, 1.5, NaN, Infinity];

const periodFactories: [string, string, (p: number) => unknown][] = [
  ["SMA", "period", (p) => I.SMA(p)],
  ["EMA", "period", (p) => I.EMA(p)],
  ["WMA", "period", (p) => I.WMA(p)],
  ["DEMA", "period", (p) => I.DEMA(p)],
  ["TEMA", "period", (p) => I.TEMA(p)],
  ["RSI", "period", (p) => I.RSI(p)],
  ["MACD fast", "fast", (p) => I.MACD(p, 26, 9)],
  ["MACD slow", "slow", (p) => I.MACD(12, p, 9)],
  ["MACD signal", "signal", (p) => I.MACD(12, 26, p)],
  ["Bollinger", "period", (p) => I.Bollinger(p)],
  ["ATR", "period", (p) => I.ATR(p)],
  ["Stochastic k", "kPeriod", (p) => I.Stochastic(p)],
  ["Stochastic d", "dPeriod", (p) => I.Stochastic(14, p)],
  ["Stochastic smooth", "kSmooth", (p) => I.Stochastic(14, 3, p)],
  ["WilliamsR", "period", (p) => I.WilliamsR(p)],
  ["ADX", "period", (p) => I.ADX(p)],
  ["CCI", "period", (p) => I.CCI(p)],
  ["ROC", "period", (p) => I.ROC(p)],
  ["Momentum", "period", (p) => I.Momentum(p)],
  ["Donchian", "period", (p) => I.Donchian(p)],
  ["Keltner ema", "emaPeriod", (p) => I.Keltner(p)],
  ["Keltner atr", "atrPeriod", (p) => I.Keltner(20, 2, p)],
  ["Highest", "period", (p) => I.Highest(p)],
  ["Lowest", "period", (p) => I.Lowest(p)],
  ["StdDev", "period", (p) => I.StdDev(p)],
  ["ZScore", "period", (p) => I.ZScore(p)],
];

for (const [name, param, make] of periodFactories) {
  Deno.test(`validation: ${name} rejects a bad ${param}`, () => {
    for (const p of BAD_PERIODS) {
      assert.throws(() => make(p), (e: unknown) => e instanceof RangeError && e.message.includes(`Invalid ${param}`));
    }
  });
}

Deno.test("validation: periods that need two values", () => {
  assert.throws(() => I.StdDev(1, { sample: true }), /Invalid period: expected an integer >= 2, got 1/);
  assert.throws(() => I.ZScore(1), /Invalid period/);
  assert.throws(() => I.Bollinger(1, 2, { sample: true }), /Invalid period/);
  I.StdDev(1); // a population σ of one value is 0, which is allowed
});

Deno.test("validation: multipliers, constants and option strings", () => {
  for (const bad of [0, -2, NaN, Infinity]) {
    assert.throws(() => I.Bollinger(20, bad), /Invalid multiplier/);
    assert.throws(() => I.Keltner(20, bad), /Invalid multiplier/);
    assert.throws(() => I.CCI(20, bad), /Invalid constant/);
  }
  // deno-lint-ignore no-explicit-any
  const anyOpt = (x: string) => x as any;
  assert.throws(() => I.EMA(10, { seed: anyOpt("zero") }), /Invalid seed: expected one of "sma", "first", got "zero"/);
  assert.throws(() => I.ATR(14, { firstBar: anyOpt("x") }), /Invalid firstBar/);
  assert.throws(() => I.VWAP({ session: anyOpt("week") }), /Invalid session/);
  assert.throws(() => I.MACD(26, 12, 9), /Invalid fast: expected fast < slow/);
});

Deno.test("validation: series inputs must have equal lengths", () => {
  const a = [1, 2, 3];
  assert.throws(() => I.atrSeries(a, a, [1, 2]), /input lengths differ/);
  assert.throws(() => I.obvSeries(a, [1]), /input lengths differ/);
  assert.throws(() => I.donchianSeries(a, [1]), /input lengths differ/);
});

Deno.test("validation: VWAP with daily sessions needs a time", () => {
  const v = I.VWAP({ session: "utcDay" });
  assert.throws(() => v.update(1, 1, 1, 1), /Invalid time/);
});
