/** Highest and lowest of the last `period` inputs (monotonic deque, O(1) amortised). Warm-up: period − 1. */
import { rollingExtremum } from "./_extremum.ts";
import { checkPeriod } from "./_validate.ts";
import type { ScalarIndicator } from "./types.ts";
import { scalarSeries } from "./sma.ts";

function extremum(period: number, kind: "max" | "min"): ScalarIndicator {
  checkPeriod("period", period);
  const e = rollingExtremum(period, kind);
  let value = NaN;
  return {
    update(x: number): number {
      const v = e.push(x);
      value = e.full ? v : NaN;
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return e.full;
    },
    reset(): void {
      e.reset();
      value = NaN;
    },
  };
}

export function Highest(period: number): ScalarIndicator {
  return extremum(period, "max");
}

export function Lowest(period: number): ScalarIndicator {
  return extremum(period, "min");
}

export function highestSeries(values: ArrayLike<number>, period: number): Float64Array {
  return scalarSeries(Highest(period), values);
}

export function lowestSeries(values: ArrayLike<number>, period: number): Float64Array {
  return scalarSeries(Lowest(period), values);
}
