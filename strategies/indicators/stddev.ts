/**
 * Rolling standard deviation over `period` inputs. Default: population (divide by n), as Bollinger Bands and
 * StockCharts use; `{ sample: true }` divides by n − 1. Warm-up: period − 1 (a sample needs period ≥ 2).
 */
import { rollingMoments } from "./_rolling_moments.ts";
import { checkPeriod } from "./_validate.ts";
import type { ScalarIndicator } from "./types.ts";
import { scalarSeries } from "./sma.ts";

export interface StdDevOptions {
  /** Divide by n − 1 instead of n. Default false (population). */
  sample?: boolean;
}

export function StdDev(period: number, options: StdDevOptions = {}): ScalarIndicator {
  const sample = options.sample ?? false;
  checkPeriod("period", period, sample ? 2 : 1);
  const m = rollingMoments(period);
  let value = NaN;
  return {
    update(x: number): number {
      m.push(x);
      value = m.full ? Math.sqrt(sample ? m.varianceSample : m.variancePop) : NaN;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return m.full;
    },
    reset(): void {
      m.reset();
      value = NaN;
    },
  };
}

export function stdDevSeries(values: ArrayLike<number>, period: number, options: StdDevOptions = {}): Float64Array {
  return scalarSeries(StdDev(period, options), values);
}
