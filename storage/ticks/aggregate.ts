/**
 * Bars from ticks: per bucket of `timeframe` (starting at multiples of it since the Unix epoch, UTC, like
 * storage/bars/resample.ts), open/high/low/close of the trade prices (quotes: of the mids) and the summed trade size
 * (quotes: 0). A bucket without a tick has no bar.
 */
import { type BarSeries, type Timeframe, TIMEFRAME_MS } from "../../actors/protocol/mod.ts";
import { allocColumns, finishColumns, toSeries } from "../bars/columns.ts";
import type { TickSeries } from "./types.ts";

export function ticksToBars(ticks: TickSeries, timeframe: Timeframe): BarSeries {
  const step = TIMEFRAME_MS[timeframe];
  const out = allocColumns(Math.max(1, ticks.length));
  let n = -1;
  let bucket = NaN;
  for (let i = 0; i < ticks.length; i++) {
    const b = Math.floor(ticks.ts[i] / step) * step;
    const p = ticks.price[i];
    if (b !== bucket) {
      bucket = b;
      n++;
      out.ts[n] = b;
      out.open[n] = out.high[n] = out.low[n] = p;
      out.volume[n] = 0;
    }
    if (p > out.high[n]) out.high[n] = p;
    if (p < out.low[n]) out.low[n] = p;
    out.close[n] = p;
    out.volume[n] += ticks.size[i];
  }
  return toSeries(finishColumns(out, n + 1), ticks.symbol, timeframe);
}
