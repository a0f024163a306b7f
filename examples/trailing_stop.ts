/**
 * SMA crossings with an ATR trailing stop (backtesting.py's `TrailingStrategy`): enter long on a golden cross with a
 * stop-loss `atrMultiple` ATRs below the close, then ratchet that stop up behind each close with `modify` — it never
 * moves back down. The trade ends at the trailed stop (or on a dead cross).
 */
import { buy, close, defineStrategy } from "../strategies/api.ts";
import { SMA } from "../strategies/indicators/mod.ts";
import { trailingStop } from "../strategies/trailing.ts";

export default defineStrategy({
  name: "trailing_cross",
  params: {
    fast: { type: "int", default: 10, min: 2, max: 200 },
    slow: { type: "int", default: 30, min: 3, max: 500 },
    atrPeriod: { type: "int", default: 14, min: 1, max: 200 },
    atrMultiple: { type: "number", default: 3, min: 0.1, max: 20 },
    trail: { type: "boolean", default: true, description: "false: the initial stop stays where it was placed" },
  },
  constraint: (p) => p.fast >= p.slow ? `fast must be below slow (${p.fast} ≥ ${p.slow})` : undefined,
  warmupBars: (p) => Math.max(p.slow, p.atrPeriod + 1),
  init: (ctx) => ({ fast: SMA(ctx.params.fast), slow: SMA(ctx.params.slow), wasAbove: false }),
  onBar(s, bar, ctx) {
    const fast = s.fast.update(bar.close);
    const slow = s.slow.update(bar.close);
    if (!s.slow.ready) return;
    const above = fast > slow;
    const crossedUp = above && !s.wasAbove;
    s.wasAbove = above;
    const atr = { period: ctx.params.atrPeriod, multiple: ctx.params.atrMultiple };
    if (ctx.position() === 0 && crossedUp) {
      const h = ctx.history();
      if (h.length <= atr.period) return;
      let range = 0;
      for (let i = 0; i < atr.period; i++) range += h.high(i) - h.low(i);
      return buy({ fraction: 0.95, stopLoss: bar.close - range / atr.period * atr.multiple });
    }
    if (ctx.position() > 0 && !above) return close();
    return ctx.params.trail ? trailingStop(ctx, { atr }) : undefined;
  },
});
