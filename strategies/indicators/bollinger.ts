/**
 * Bollinger Bands: middle = SMA(period), upper/lower = middle ± multiplier·σ with population σ by default
 * (Bollinger, StockCharts, Stock.Indicators). percentB = (close − lower) / (upper − lower); width =
 * (upper − lower) / middle as a ratio (StockCharts prints it ×100); zScore = (close − middle) / σ.
 * Warm-up: period − 1. When σ = 0, percentB and zScore are NaN while `ready` is true.
 */
import { rollingMoments } from "./_rolling_moments.ts";
import { collect } from "./_series.ts";
import { checkPeriod, checkPositive } from "./_validate.ts";
import type { Indicator } from "./types.ts";

export interface BollingerOptions {
  /** Divide the variance by n − 1. Default false (population). */
  sample?: boolean;
}

export interface BollingerResult {
  readonly middle: number;
  readonly upper: number;
  readonly lower: number;
  readonly stdDev: number;
  readonly percentB: number;
  readonly width: number;
  readonly zScore: number;
}

export function Bollinger(
  period = 20,
  multiplier = 2,
  options: BollingerOptions = {},
): Indicator<[close: number], BollingerResult> {
  const sample = options.sample ?? false;
  checkPeriod("period", period, sample ? 2 : 1);
  checkPositive("multiplier", multiplier);
  const m = rollingMoments(period);
  // Mutated and returned on every update: no allocation per bar.
  const r = { middle: NaN, upper: NaN, lower: NaN, stdDev: NaN, percentB: NaN, width: NaN, zScore: NaN };
  return {
    update(close: number): BollingerResult {
      m.push(close);
      if (!m.full) return r;
      const mid = m.mean;
      const sd = Math.sqrt(sample ? m.varianceSample : m.variancePop);
      r.middle = mid;
      r.stdDev = sd;
      r.upper = mid + multiplier * sd;
      r.lower = mid - multiplier * sd;
      r.percentB = sd > 0 ? (close - r.lower) / (r.upper - r.lower) : NaN;
      r.width = (r.upper - r.lower) / mid;
      r.zScore = sd > 0 ? (close - mid) / sd : NaN;
      return r;
    },
    get value() {
      return r;
    },
    get ready() {
      return m.full;
    },
    reset(): void {
      m.reset();
      r.middle =
        r.upper =
        r.lower =
        r.stdDev =
        r.percentB =
        r.width =
        r.zScore =
          NaN;
    },
  };
}

export function bollingerSeries(
  closes: ArrayLike<number>,
  period = 20,
  multiplier = 2,
  options: BollingerOptions = {},
): Record<keyof BollingerResult, Float64Array> {
  const b = Bollinger(period, multiplier, options);
  return collect(
    closes.length,
    ["middle", "upper", "lower", "stdDev", "percentB", "width", "zScore"],
    (i) => b.update(closes[i]),
  );
}
