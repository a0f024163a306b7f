/** Reads 1d bars on 1h bars and logs the newest one at every bar; throws on a poison bar (volume −1). */
import { defineStrategy } from "../../../strategies/api.ts";

export default defineStrategy({
  name: "mtf-crashy",
  params: {},
  timeframes: ["1d"],
  // Fewer base bars than a day: after a crash the days can only come back from the snapshot, not from a replay.
  historySize: 10,
  init: () => ({}),
  onBar(_s, bar, ctx) {
    if (bar.volume === -1) throw new Error("poison bar");
    const day = ctx.history(undefined, "1d");
    ctx.log.info("day", {
      bar: bar.ts,
      length: day.length,
      day: day.time(0),
      high: day.high(0),
      low: day.low(0),
      close: day.close(0),
    });
  },
});
