/**
 * Aggregates candles to a coarser timeframe (e.g. 1m → 5m, 15m, 1h, 1d): first open, highest high, lowest low, last
 * close, summed volume, per target slot. Input must be sorted by time (as the store returns it).
 */
import { allocCandles, type Candles, sliceCandles } from "./columns.ts";
import { TIMEFRAME_MS } from "../../actors/protocol/market.ts";
import { slotOf, slotStart, type StoreTimeframe } from "./timeframe.ts";

export interface ResampleOptions {
  /** Drop target candles that lack some of their source candles (e.g. the unfinished last hour). Default false. */
  readonly completeOnly?: boolean;
}

/** Source candles per target candle, when both timeframes are fixed; undefined for monthly targets. */
function perTarget(from: StoreTimeframe, to: StoreTimeframe): number | undefined {
  if (to === "1M") return undefined;
  if (from === "1M") throw new Error(`Cannot resample 1M candles to ${to}: a month is the coarsest timeframe`);
  const ratio = TIMEFRAME_MS[to] / TIMEFRAME_MS[from];
  if (!Number.isInteger(ratio) || ratio < 1) {
    throw new Error(`Cannot resample ${from} candles to ${to}: ${to} is not a whole multiple of ${from}`);
  }
  return ratio;
}

export function resample(c: Candles, from: StoreTimeframe, to: StoreTimeframe, options: ResampleOptions = {}): Candles {
  const need = perTarget(from, to);
  const out = allocCandles(c.length);
  const sources = new Int32Array(c.length);
  let n = -1;
  let slot = NaN;
  for (let i = 0; i < c.length; i++) {
    const s = slotOf(c.ts[i], to);
    if (s !== slot) {
      n++;
      slot = s;
      out.ts[n] = slotStart(s, to);
      out.open[n] = c.open[i];
      out.high[n] = c.high[i];
      out.low[n] = c.low[i];
      out.volume[n] = 0;
    }
    out.high[n] = Math.max(out.high[n], c.high[i]);
    out.low[n] = Math.min(out.low[n], c.low[i]);
    out.close[n] = c.close[i];
    out.volume[n] += c.volume[i];
    sources[n]++;
  }
  const all = sliceCandles(out, 0, n + 1);
  if (!options.completeOnly || need === undefined) return all;
  const keep = [...Array(all.length).keys()].filter((k) => sources[k] === need);
  const kept = allocCandles(keep.length);
  keep.forEach((k, j) => {
    for (const col of ["ts", "open", "high", "low", "close", "volume"] as const) kept[col][j] = all[col][k];
  });
  return kept;
}
