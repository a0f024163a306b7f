/** Sum of the last `size` inputs with compensated add/subtract, so it does not drift over long runs. */
import { compensatedSum } from "./_compensated.ts";
import { window } from "./_window.ts";

export interface RollingSum {
  push(x: number): void;
  readonly sum: number;
  readonly count: number;
  readonly full: boolean;
  /** The i-th value in the window, 0 = oldest. */
  at(i: number): number;
  reset(): void;
}

export function rollingSum(size: number): RollingSum {
  const w = window(size);
  const acc = compensatedSum();
  return {
    push(x: number): void {
      const full = w.full;
      const old = w.push(x);
      acc.add(x);
      if (full) acc.add(-old);
    },
    get sum() {
      return acc.value;
    },
    get count() {
      return w.count;
    },
    get full() {
      return w.full;
    },
    at: w.at,
    reset(): void {
      w.reset();
      acc.reset();
    },
  };
}
