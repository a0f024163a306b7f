/**
 * Williams %R = −100·(HH − close) / (HH − LL) over `period` bars, in [−100, 0]. Warm-up: period − 1.
 * When HH = LL it is −100 (fast %K 0 − 100, as TA-Lib and Stock.Indicators).
 */
import { rollingExtremum } from "./_extremum.ts";
import { checkPeriod } from "./_validate.ts";
import { hlcSeries } from "./atr.ts";
import type { HlcIndicator } from "./types.ts";

export function WilliamsR(period = 14): HlcIndicator {
  checkPeriod("period", period);
  const hi = rollingExtremum(period, "max");
  const lo = rollingExtremum(period, "min");
  let value = NaN;
  return {
    update(high: number, low: number, close: number): number {
      const h = hi.push(high);
      const l = lo.push(low);
      if (hi.full) value = h !== l ? (-100 * (h - close)) / (h - l) : -100;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return hi.full;
    },
    reset(): void {
      hi.reset();
      lo.reset();
      value = NaN;
    },
  };
}

export function williamsRSeries(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 14,
): Float64Array {
  return hlcSeries(WilliamsR(period), high, low, close);
}
