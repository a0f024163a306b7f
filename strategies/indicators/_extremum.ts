/**
 * Rolling maximum of the last `size` inputs with a monotonic deque: each input enters and leaves the deque once, so
 * O(1) amortised. The minimum is the maximum of negated inputs (negation is exact).
 */
export interface RollingExtremum {
  push(x: number): number;
  readonly value: number;
  readonly full: boolean;
  reset(): void;
}

export function rollingExtremum(size: number, kind: "max" | "min"): RollingExtremum {
  const sign = kind === "max" ? 1 : -1;
  // Ring buffers of (arrival number, signed value), decreasing in value from front to back.
  const vals = new Float64Array(size);
  const seq = new Float64Array(size); // Float64 so the arrival counter cannot overflow in any realistic run
  let front = 0;
  let len = 0;
  let n = 0; // inputs seen
  return {
    push(x: number): number {
      const v = sign * x;
      // Drop the front when it has slid out of the window (it arrived `size` or more inputs ago).
      if (len > 0 && seq[front] <= n - size) {
        front = front + 1 === size ? 0 : front + 1;
        len--;
      }
      // Drop from the back everything that can never be the maximum again.
      while (len > 0) {
        let back = front + len - 1;
        if (back >= size) back -= size;
        if (vals[back] > v) break;
        len--;
      }
      let slot = front + len;
      if (slot >= size) slot -= size;
      vals[slot] = v;
      seq[slot] = n;
      len++;
      n++;
      return sign * vals[front];
    },
    get value() {
      return len > 0 ? sign * vals[front] : NaN;
    },
    get full() {
      return n >= size;
    },
    reset(): void {
      front = 0;
      len = 0;
      n = 0;
    },
  };
}
