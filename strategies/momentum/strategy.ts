/**
 * Donchian breakout (the Turtle rule). Enters long when the close breaks above the highest high of the previous
 * `entryPeriod` bars (short below the lowest low, in "long_short" mode), with a protective stop `atrMult` ATRs
 * from the signal close, placed as a bracket `stopLoss` so it rests at the venue. Exits on a close through the
 * opposite `exitPeriod` channel, or on the stop.
 */
import { buy, cancelAll, close, defineStrategy, type Intent, sell } from "../api.ts";
import { ATR, Donchian } from "../indicators/mod.ts";

export default defineStrategy({
  name: "momentum",
  description: "Donchian channel breakout with an ATR stop-loss",
  params: {
    entryPeriod: { type: "int", default: 20, min: 2, max: 1_000, description: "breakout channel (bars)" },
    exitPeriod: { type: "int", default: 10, min: 2, max: 1_000, description: "exit channel (bars)" },
    atrPeriod: { type: "int", default: 14, min: 1, max: 1_000, description: "ATR period for the stop" },
    atrMult: { type: "number", default: 2, min: 0.1, max: 20, description: "stop distance in ATRs" },
    mode: { type: "enum", values: ["long_short", "long_only"], default: "long_only", description: "allow shorts" },
    fraction: { type: "number", default: 1, min: 0.01, max: 1, description: "share of available equity per entry" },
  },
  constraint: (p) =>
    p.exitPeriod > p.entryPeriod
      ? `exitPeriod must not exceed entryPeriod (exitPeriod ${p.exitPeriod} > entryPeriod ${p.entryPeriod})`
      : undefined,
  // The channels compare with the previous bar's, hence + 1; the ATR is ready after atrPeriod bars.
  warmupBars: (p) => Math.max(p.entryPeriod + 1, p.atrPeriod),
  init(ctx) {
    const p = ctx.params;
    return {
      entry: Donchian(p.entryPeriod),
      exit: Donchian(p.exitPeriod),
      atr: ATR(p.atrPeriod),
      // The previous bar's channels: Donchian includes the current bar, so a breakout is measured against these.
      entryHigh: NaN,
      entryLow: NaN,
      exitHigh: NaN,
      exitLow: NaN,
    };
  },
  onBar(s, bar, ctx) {
    const { entryHigh, entryLow, exitHigh, exitLow } = s;
    const entry = s.entry.update(bar.high, bar.low);
    const exit = s.exit.update(bar.high, bar.low);
    const atr = s.atr.update(bar.high, bar.low, bar.close);
    s.entryHigh = entry.upper;
    s.entryLow = entry.lower;
    s.exitHigh = exit.upper;
    s.exitLow = exit.lower;
    if (Number.isNaN(entryHigh) || Number.isNaN(exitHigh) || !s.atr.ready) return;

    const { atrMult, fraction } = ctx.params;
    const position = ctx.position();
    const intents: Intent[] = [];
    // cancelAll also removes the resting stop of the position being closed.
    if (position > 0 && bar.close < exitLow) intents.push(cancelAll(), close());
    if (position < 0 && bar.close > exitHigh) intents.push(cancelAll(), close());
    // Open orders are the ones sent on earlier bars (a pending entry); bracket stops live at the venue.
    const flat = position === 0 || intents.length > 0;
    if (flat && ctx.openOrders().length === 0) {
      if (bar.close > entryHigh && position <= 0) {
        intents.push(cancelAll(), buy({ fraction, stopLoss: bar.close - atrMult * atr }));
      } else if (bar.close < entryLow && position >= 0 && ctx.params.mode === "long_short") {
        intents.push(cancelAll(), sell({ fraction, stopLoss: bar.close + atrMult * atr }));
      }
    }
    return intents;
  },
});
