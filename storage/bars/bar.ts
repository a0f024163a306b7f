/** Crossing from columns to objects, for the edges (messages to actors, tests); the hot path reads the arrays. */
import type { Bar, BarSeries } from "../../actors/protocol/mod.ts";

export function barAt(series: BarSeries, index: number): Bar {
  if (!Number.isInteger(index) || index < 0 || index >= series.length) {
    throw new RangeError(`bar index ${index} is outside 0..${series.length - 1}`);
  }
  return {
    symbol: series.symbol,
    timeframe: series.timeframe,
    ts: series.ts[index],
    open: series.open[index],
    high: series.high[index],
    low: series.low[index],
    close: series.close[index],
    volume: series.volume[index],
  };
}
