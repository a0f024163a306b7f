/**
 * Rolling z-score: (x − mean) / stddev over the last `period` inputs, x included. Population stddev by default
 * (`{ sample: true }` for n − 1). Warm-up: period − 1. A constant window (stddev 0) gives NaN while `ready` is true.
 */
import { rollingMoments } from "./_rolling_moments.ts";
import { checkPeriod } from "./_validate.ts";
import type { StdDevOptions } from "./stddev.ts";
import type { ScalarIndicator } from "./types.ts";
import { scalarSeries } from "./sma.ts";

export function ZScore(period: number, options: StdDevOptions = {}): ScalarIndicator {
  const sample = options.sample ?? false;
  checkPeriod("period", period, 2);
  const m = rollingMoments(period);
  let value = NaN;
  return {
    update(x: number): number {
      m.push(x);
      if (m.full) {
        const sd = Math.sqrt(sample ? m.varianceSample : m.variancePop);
        value = sd > 0 ? (x - m.mean) / sd : NaN;
      } else value = NaN;
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

export function zScoreSeries(values: ArrayLike<number>, period: number, options: StdDevOptions = {}): Float64Array {
  return scalarSeries(ZScore(period, options), values);
}
