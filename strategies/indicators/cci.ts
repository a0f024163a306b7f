/**
 * Commodity Channel Index: TP = (high + low + close) / 3, CCI = (TP − SMA(TP)) / (constant · mean deviation), the
 * mean deviation being mean |TPᵢ − SMA| over the window (Lambert; StockCharts). Warm-up: period − 1.
 * The one exception to O(1): the mean absolute deviation around a moving mean has no exact O(1) update, so each
 * update loops over the window (O(period), no allocation). A constant window (deviation 0) gives NaN.
 */
import { rollingSum } from "./_rolling_sum.ts";
import { checkPeriod, checkPositive } from "./_validate.ts";
import { hlcSeries } from "./atr.ts";
import type { HlcIndicator } from "./types.ts";

export function CCI(period = 20, constant = 0.015): HlcIndicator {
  checkPeriod("period", period);
  checkPositive("constant", constant);
  const tps = rollingSum(period);
  let value = NaN;
  return {
    update(high: number, low: number, close: number): number {
      const tp = (high + low + close) / 3;
      tps.push(tp);
      if (!tps.full) return value;
      const mean = tps.sum / period;
      let dev = 0;
      for (let i = 0; i < period; i++) dev += Math.abs(tps.at(i) - mean);
      dev /= period;
      value = dev > 0 ? (tp - mean) / (constant * dev) : NaN;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return tps.full;
    },
    reset(): void {
      tps.reset();
      value = NaN;
    },
  };
}

export function cciSeries(
  high: ArrayLike<number>,
  low: ArrayLike<number>,
  close: ArrayLike<number>,
  period = 20,
  constant = 0.015,
): Float64Array {
  return hlcSeries(CCI(period, constant), high, low, close);
}
