/** Simple moving average: the mean of the last `period` values; NaN until `period` values arrived. */
import { RollingSum } from "./_rolling_sum.ts";
import { checkPeriod } from "./_validate.ts";
import type { ScalarIndicator } from "./types.ts";

class Sma implements ScalarIndicator {
  readonly #sum: RollingSum;
  readonly #period: number;
  #value = NaN;

  constructor(period: number) {
    this.#period = period;
    this.#sum = new RollingSum(period);
  }

  update(x: number): number {
    this.#sum.push(x);
    this.#value = this.#sum.full ? this.#sum.sum / this.#period : NaN;
    return this.#value;
  }

  get value(): number {
    return this.#value;
  }

  get ready(): boolean {
    return this.#sum.full;
  }

  reset(): void {
    this.#sum.reset();
    this.#value = NaN;
  }
}

export function SMA(period: number): ScalarIndicator {
  checkPeriod("period", period);
  return new Sma(period);
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
