/**
 * Rolling mean and variance of the last `size` inputs, O(1) amortised.
 *
 * Why not Σx and Σx²: with prices near 1e5 and a spread near 1 the difference cancels ~10 digits. Instead we keep
 * compensated sums of (x − K) and (x − K)² around a shift K, and every `max(size, 1024)` pushes re-centre K on the
 * window mean and recompute both sums from the window (O(size), hence O(1) amortised). The result stays within
 * ~1e-12 relative of a fresh two-pass computation however long the run.
 */
import { compensatedSum } from "./_compensated.ts";
import { window } from "./_window.ts";

export interface RollingMoments {
  push(x: number): void;
  readonly mean: number;
  /** Population variance (divide by n). */
  readonly variancePop: number;
  /** Sample variance (divide by n − 1); NaN for n = 1. */
  readonly varianceSample: number;
  readonly count: number;
  readonly full: boolean;
  reset(): void;
}

export function rollingMoments(size: number): RollingMoments {
  const w = window(size);
  const s = compensatedSum();
  const q = compensatedSum();
  const resyncEvery = Math.max(size, 1024);
  let shift = 0;
  let sinceSync = 0;

  function resync(): void {
    const n = w.count;
    let total = 0;
    for (let i = 0; i < n; i++) total += w.at(i);
    shift = total / n;
    s.reset();
    q.reset();
    for (let i = 0; i < n; i++) {
      const d = w.at(i) - shift;
      s.add(d);
      q.add(d * d);
    }
    sinceSync = 0;
  }

  function m2(): number {
    const n = w.count;
    const sv = s.value;
    const v = q.value - (sv * sv) / n;
    return v > 0 ? v : 0; // rounding can leave a tiny negative for a constant window
  }

  return {
    push(x: number): void {
      if (w.count === 0) shift = x; // centre early, before the first resync
      const full = w.full;
      const old = w.push(x);
      const d = x - shift;
      s.add(d);
      q.add(d * d);
      if (full) {
        const o = old - shift;
        s.add(-o);
        q.add(-o * o);
      }
      if (++sinceSync >= resyncEvery) resync();
    },
    get mean() {
      return shift + s.value / w.count;
    },
    get variancePop() {
      return m2() / w.count;
    },
    get varianceSample() {
      return w.count > 1 ? m2() / (w.count - 1) : NaN;
    },
    get count() {
      return w.count;
    },
    get full() {
      return w.full;
    },
    reset(): void {
      w.reset();
      s.reset();
      q.reset();
      shift = 0;
      sinceSync = 0;
    },
  };
}
