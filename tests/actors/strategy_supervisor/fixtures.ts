/** A strategy that buys on every 5th bar and throws on a poison bar (volume −1). */
import { buy, defineStrategy } from "../../../strategies/api.ts";
import { SMA } from "../../../strategies/indicators/mod.ts";

export default defineStrategy({
  name: "crashy",
  params: {},
  init: () => ({ bars: 0, sma: SMA(3) }),
  onBar(s, bar) {
    if (bar.volume === -1) throw new Error("poison bar");
    s.bars++;
    s.sma.update(bar.close);
    if (s.bars % 5 === 0) return buy({ qty: 1 });
  },
});
