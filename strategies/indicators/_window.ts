/** A fixed-size ring of the last `size` inputs: the memory behind every rolling indicator. */
export interface Window {
  /** Stores `x`; returns the value it evicts, or 0 while not yet full (so sums can subtract it blindly). */
  push(x: number): number;
  /** The i-th stored value, 0 = oldest. */
  at(i: number): number;
  readonly count: number;
  readonly full: boolean;
  reset(): void;
}

export function window(size: number): Window {
  const buf = new Float64Array(size);
  let head = 0; // next slot to write, which is also the oldest slot once full
  let count = 0;
  return {
    push(x: number): number {
      const evicted = count === size ? buf[head] : 0;
      buf[head] = x;
      head = head + 1 === size ? 0 : head + 1;
      if (count < size) count++;
      return evicted;
    },
    at(i: number): number {
      let j = head - count + i;
      if (j < 0) j += size;
      return buf[j];
    },
    get count() {
      return count;
    },
    get full() {
      return count === size;
    },
    reset(): void {
      head = 0;
      count = 0;
    },
  };
}
