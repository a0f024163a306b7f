/**
 * Buys with a bracket on its first bar, then trails the stop 1 below each close (strategies/trailing.ts); throws on a
 * poison bar (volume −1).
 */
import { buy, defineStrategy } from "../../../strategies/api.ts";
import { trailingStop } from "../../../strategies/trailing.ts";

export default defineStrategy({
  name: "trail_fixture",
  params: {},
  init: () => ({ bars: 0 }),
  onBar(s, bar, ctx) {
    if (bar.volume === -1) throw new Error("poison bar");
    if (++s.bars === 1) return buy({ qty: 2, stopLoss: 9.3, takeProfit: 20 });
    return trailingStop(ctx, { distance: 1 });
  },
});
