/** My first strategy: buy when RSI says oversold, sell when it says overbought. */
import { buy, close, defineStrategy } from "../strategies/api.ts";
import { RSI } from "../strategies/indicators/mod.ts";

export default defineStrategy({
  name: "rsi_swing",
  params: {
    period: { type: "int", default: 14, min: 2, max: 100 },
    buyBelow: { type: "number", default: 30, min: 1, max: 99 },
    sellAbove: { type: "number", default: 70, min: 1, max: 99 },
  },
  constraint: (p) => p.buyBelow >= p.sellAbove ? `buyBelow must be below sellAbove` : undefined,
  warmupBars: (p) => p.period,
  init: (ctx) => ({ rsi: RSI(ctx.params.period) }),
  onBar(state, bar, ctx) {
    const rsi = state.rsi.update(bar.close);
    if (ctx.position() === 0 && rsi < ctx.params.buyBelow) return buy();
    if (ctx.position() > 0 && rsi > ctx.params.sellAbove) return close();
    return; // nothing to do on this bar
  },
});
