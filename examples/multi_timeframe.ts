/**
 * Two timeframes: trade 5m SMA crossings only in the direction of the 1h trend (the 1h close above its own SMA).
 * The 1h bars are built from the 5m bars the strategy runs on; one is visible only once its last 5m bar has closed.
 */
import { buy, close, defineStrategy } from "../strategies/api.ts";
import { SMA } from "../strategies/indicators/mod.ts";

export default defineStrategy({
  name: "trend_filtered_cross",
  params: {
    fast: { type: "int", default: 10, min: 2, max: 200 },
    slow: { type: "int", default: 30, min: 3, max: 500 },
    trend: { type: "int", default: 12, min: 2, max: 200, description: "SMA of 1h closes" },
  },
  constraint: (p) => p.fast >= p.slow ? `fast must be below slow (${p.fast} ≥ ${p.slow})` : undefined,
  timeframes: ["1h"],
  init: (ctx) => ({ fast: SMA(ctx.params.fast), slow: SMA(ctx.params.slow), trend: SMA(ctx.params.trend), hour: NaN }),
  onBar(s, bar, ctx) {
    const fast = s.fast.update(bar.close);
    const slow = s.slow.update(bar.close);
    const hours = ctx.history(bar.symbol, "1h");
    // Feed the 1h SMA once per new 1h bar.
    if (hours.length > 0 && hours.time(0) !== s.hour) {
      s.hour = hours.time(0);
      s.trend.update(hours.close(0));
    }
    if (!s.slow.ready || !s.trend.ready) return;
    const uptrend = hours.close(0) > s.trend.value;
    if (ctx.position() === 0 && uptrend && fast > slow) return buy();
    if (ctx.position() > 0 && (!uptrend || fast < slow)) return close();
    return;
  },
});
