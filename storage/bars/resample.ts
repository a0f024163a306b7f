/**
 * Resampling bars to a larger timeframe (1m → 5m, 1h, 1d, ...; any whole multiple of the source).
 *
 * Buckets start at multiples of the target timeframe since `originMs` (default 0, the Unix epoch, UTC): so days
 * start at 00:00 UTC, and weeks on Thursdays (the epoch's weekday; pass `originMs: 4 * 86_400_000` for Mondays).
 * Each bucket: open = first bar's open, high = max, low = min, close = last bar's close, volume = sum,
 * ts = bucket start. A bucket holding only some of its source bars (at the edges of the data, or around a gap) is
 * still emitted from the bars it has; a bucket with no source bar is absent, never synthesised.
 *
 * `skipNoTradeBars`: exchanges such as Binance fill minutes without trades with a zero-volume bar at the previous
 * close, while their own larger candles ignore those minutes. With this option zero-volume bars still close the
 * bucket and add their (zero) volume but do not set its open, high or low, unless every bar in the bucket is one:
 * this reproduces Binance's 5m candles from its 1m candles exactly.
 */
import { type BarSeries, type Timeframe, TIMEFRAME_MS } from "../../actors/protocol/mod.ts";
import { allocColumns, finishColumns, toSeries } from "./columns.ts";

export interface ResampleOptions {
  readonly originMs?: number;
  readonly skipNoTradeBars?: boolean;
}

export function resample(series: BarSeries, to: Timeframe, options: ResampleOptions = {}): BarSeries {
  const step = TIMEFRAME_MS[to];
  const sourceStep = TIMEFRAME_MS[series.timeframe];
  if (step < sourceStep || step % sourceStep !== 0) {
    throw new RangeError(`cannot resample ${series.timeframe} bars to ${to}: not a whole multiple`);
  }
  const origin = options.originMs ?? 0;
  const skip = options.skipNoTradeBars ?? false;
  const { ts, open, high, low, close, volume, length } = series;
  const bucketOf = (t: number) => origin + Math.floor((t - origin) / step) * step;

  let buckets = 0;
  for (let i = 0, last = NaN; i < length; i++) {
    const b = bucketOf(ts[i]);
    if (b !== last) buckets++;
    last = b;
  }

  const out = allocColumns(buckets);
  let n = -1;
  let current = NaN;
  let traded = false; // whether the current bucket's open/high/low come from a bar with volume
  for (let i = 0; i < length; i++) {
    const b = bucketOf(ts[i]);
    const noTrade = skip && volume[i] === 0;
    if (b !== current) {
      current = b;
      n++;
      out.ts[n] = b;
      out.open[n] = open[i];
      out.high[n] = high[i];
      out.low[n] = low[i];
      out.volume[n] = volume[i];
      traded = !noTrade;
    } else {
      out.volume[n] += volume[i];
      if (!noTrade) {
        if (!traded) {
          // the first real trade replaces the no-trade filler's prices
          out.open[n] = open[i];
          out.high[n] = high[i];
          out.low[n] = low[i];
          traded = true;
        } else {
          if (high[i] > out.high[n]) out.high[n] = high[i];
          if (low[i] < out.low[n]) out.low[n] = low[i];
        }
      } else if (!traded) {
        if (high[i] > out.high[n]) out.high[n] = high[i];
        if (low[i] < out.low[n]) out.low[n] = low[i];
      }
    }
    out.close[n] = close[i];
  }
  return toSeries(finishColumns(out, buckets), series.symbol, to);
}
