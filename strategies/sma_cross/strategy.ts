/**
 * Moving-average crossover. Goes long when the fast average crosses above the slow one; on the opposite
 * cross it either reverses to short (mode "long_short", always in the market, like backtesting.py's SmaCross)
 * or goes flat ("long_only"). Sizing: all available equity in whole units at the next open.
 */
import { buy, cancelAll, close, defineStrategy, type Intent, sell } from "../api.ts";
import { EMA, SMA } from "../indicators/mod.ts";

export default defineStrategy({
  name: "sma_cross",
  description: "Moving-average crossover (SMA or EMA), long/short or long-only",
  params: {
    fast: { type: "int", default: 10, min: 1, max: 1_000, description: "fast average period" },
    slow: { type: "int", default: 30, min: 2, max: 5_000, description: "slow average period" },
    average: { type: "enum", values: ["sma", "ema"], default: "sma", description: "average type" },
    mode: {
      type: "enum",
      values: ["long_short", "long_only"],
      default: "long_short",
      description: "reverse or go flat",
    },
    fraction: { type: "number", default: 1, min: 0.01, max: 1, description: "share of available equity per entry" },
  },
  constraint: (p) => p.fast >= p.slow ? `fast must be below slow (fast ${p.fast} ≥ slow ${p.slow})` : undefined,
  warmupBars: (p) => p.slow - 1,
  init(ctx) {
    const make = ctx.params.average === "ema" ? EMA : SMA;
    return { fast: make(ctx.params.fast), slow: make(ctx.params.slow), prevFast: NaN, prevSlow: NaN };
  },
  onBar(s, bar, ctx) {
    const fast = s.fast.update(bar.close);
    const slow = s.slow.update(bar.close);
    const crossedUp = s.prevFast < s.prevSlow && fast > slow;
    const crossedDown = s.prevFast > s.prevSlow && fast < slow;
    s.prevFast = fast;
    s.prevSlow = slow;
    const fraction = ctx.params.fraction;
    let intents: Intent[] | undefined;
    if (crossedUp) intents = [cancelAll(), close(), buy({ fraction })];
    else if (crossedDown) {
      intents = ctx.params.mode === "long_short" ? [cancelAll(), close(), sell({ fraction })] : [cancelAll(), close()];
    }
    return intents;
  },
});
