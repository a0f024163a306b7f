/**
 * Wilder's smoothing (an EMA with α = 1/period), seeded with the plain mean of the first `period` inputs.
 * Written as (prev·(period − 1) + x) / period, the operation order Stock.Indicators uses, so references match exactly.
 */
export interface Wilder {
  push(x: number): number;
  readonly value: number;
  readonly ready: boolean;
  reset(): void;
}

export function wilder(period: number): Wilder {
  let n = 0;
  let sum = 0;
  let value = NaN;
  return {
    push(x: number): number {
      if (n >= period) {
        value = (value * (period - 1) + x) / period;
      } else {
        n++;
        sum += x;
        if (n === period) value = sum / period;
      }
      return value;
    },
    get value() {
      return value;
    },
    get ready() {
      return n >= period;
    },
    reset(): void {
      n = 0;
      sum = 0;
      value = NaN;
    },
  };
}
