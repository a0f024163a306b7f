/**
 * Mean reversion on Bollinger bands. Enters when the close is more than `entryZ` standard deviations from its
 * moving mean (below: long; above: short, in "long_short" mode) and exits when the close gets back to the mean
 * (`exitZ` = 0) or past `exitZ` deviations short of it. Orders fill at the next open.
 */
import { buy, cancelAll, close, defineStrategy, sell } from "../api.ts";
import { Bollinger } from "../indicators/mod.ts";

export default defineStrategy({
  name: "mean_reversion",
  description: "Bollinger z-score entry, exit at the mean",
  params: {
    period: { type: "int", default: 20, min: 2, max: 1_000, description: "moving mean and deviation window" },
    entryZ: { type: "number", default: 2, min: 0.1, max: 10, description: "entry distance in standard deviations" },
    exitZ: { type: "number", default: 0, min: -5, max: 5, description: "exit distance (0 = at the mean)" },
    mode: { type: "enum", values: ["long_short", "long_only"], default: "long_only", description: "allow shorts" },
    fraction: { type: "number", default: 1, min: 0.01, max: 1, description: "share of available equity per entry" },
  },
  // Exiting beyond the entry band would exit before entering.
  constraint: (p) =>
    p.exitZ >= p.entryZ ? `exitZ must be below entryZ (exitZ ${p.exitZ} ≥ entryZ ${p.entryZ})` : undefined,
  warmupBars: (p) => p.period - 1,
  init: (ctx) => ({ bands: Bollinger(ctx.params.period, ctx.params.entryZ) }),
  onBar(s, bar, ctx) {
    const z = s.bands.update(bar.close).zScore;
    if (!s.bands.ready || Number.isNaN(z)) return; // zero dispersion: no signal
    const { entryZ, exitZ, fraction } = ctx.params;
    const position = ctx.position();
    if (position > 0 && z >= -exitZ) return [cancelAll(), close()];
    if (position < 0 && z <= exitZ) return [cancelAll(), close()];
    if (position !== 0 || ctx.openOrders().length > 0) return;
    if (z < -entryZ) return buy({ fraction });
    if (z > entryZ && ctx.params.mode === "long_short") return sell({ fraction });
    return undefined;
  },
});
