/** Simple moving average over `period` inputs. Warm-up: period − 1 updates. */
import { rollingSum } from "./_rolling_sum.ts";
import { checkPeriod } from "./_validate.ts";
import type { ScalarIndicator } from "./types.ts";

export function SMA(period: number): ScalarIndicator {
  checkPeriod("period", period);
  const sum = rollingSum(period);
  let value = NaN;
  return {
    update(x: number): number {
      sum.push(x);
      value = sum.full ? sum.sum / period : NaN;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return sum.full;
    },
    reset(): void {
      sum.reset();
      value = NaN;
    },
  };
}

export function smaSeries(values: ArrayLike<number>, period: number): Float64Array {
  return scalarSeries(SMA(period), values);
}

/** Runs a scalar indicator over an array; shared by every `*Series` so both forms agree exactly. */
export function scalarSeries(ind: ScalarIndicator, values: ArrayLike<number>): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = ind.update(values[i]);
  return out;
}
