/**
 * Neumaier (improved Kahan) summation. Rolling and cumulative sums add and subtract millions of values; a plain
 * running sum drifts by ~n·ε·|x|, this keeps the error near ε·|sum| however long the run.
 */
export interface CompensatedSum {
  add(x: number): void;
  readonly value: number;
  reset(): void;
}

export function compensatedSum(): CompensatedSum {
  let sum = 0;
  let comp = 0;
  return {
    add(x: number): void {
      const t = sum + x;
      // Recover the low-order bits lost in `t`, from whichever operand was smaller.
      if (Math.abs(sum) >= Math.abs(x)) comp += (sum - t) + x;
      else comp += (x - t) + sum;
      sum = t;
    },
    get value() {
      return sum + comp;
    },
    reset(): void {
      sum = 0;
      comp = 0;
    },
  };
}
