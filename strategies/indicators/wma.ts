/**
 * Linearly weighted moving average, weights 1..period (newest heaviest). Warm-up: period − 1.
 * O(1) update: when a value arrives every stored value loses one weight, i.e. numerator += period·x − Σwindow.
 * That recurrence drifts, so it is recomputed from the window every max(period, 1024) updates (O(1) amortised).
 */
import { window } from "./_window.ts";
import { checkPeriod } from "./_validate.ts";
import type { ScalarIndicator } from "./types.ts";
import { scalarSeries } from "./sma.ts";

export function WMA(period: number): ScalarIndicator {
  checkPeriod("period", period);
  const w = window(period);
  const denom = (period * (period + 1)) / 2;
  const resyncEvery = Math.max(period, 1024);
  let sum = 0;
  let num = 0;
  let since = 0;
  let value = NaN;
  return {
    update(x: number): number {
      const full = w.full;
      const old = w.push(x);
      if (full) {
        num += period * x - sum;
        sum += x - old;
      } else {
        num += w.count * x;
        sum += x;
      }
      if (++since >= resyncEvery && w.full) {
        sum = 0;
        num = 0;
        for (let i = 0; i < period; i++) {
          const v = w.at(i);
          sum += v;
          num += (i + 1) * v;
        }
        since = 0;
      }
      value = w.full ? num / denom : NaN;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return w.full;
    },
    reset(): void {
      w.reset();
      sum = 0;
      num = 0;
      since = 0;
      value = NaN;
    },
  };
}

export function wmaSeries(values: ArrayLike<number>, period: number): Float64Array {
  return scalarSeries(WMA(period), values);
}
