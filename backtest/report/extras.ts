// Statistics backtesting.py does not compute. Their conventions are ours; see README.md.
import { percentileSorted } from "./numeric.ts";
import type { ClosedTrade } from "./types.ts";

/** Simple per-bar equity returns, skipping bars where the return is not finite (e.g. after equity hit 0). */
export function barReturns(equity: ArrayLike<number>): number[] {
  return Array.from(barReturnColumn(equity));
}

/** `barReturns` as a typed array, for long series. */
export function barReturnColumn(equity: ArrayLike<number>): Float64Array {
  // Typed, not a growing number[]: at millions of bars these arrays are the report's memory peak.
  const out = new Float64Array(Math.max(0, equity.length - 1));
  let k = 0;
  for (let i = 1; i < equity.length; i++) {
    const r = equity[i] / equity[i - 1] - 1;
    if (Number.isFinite(r)) out[k++] = r;
  }
  return k === out.length ? out : out.subarray(0, k);
}

/** Omega ratio at threshold 0: Σ gains / Σ |losses| of per-bar returns. */
export function omegaRatio(returns: ArrayLike<number>): number {
  let up = 0, down = 0;
  for (let i = 0; i < returns.length; i++) {
    const r = returns[i];
    if (r > 0) up += r;
    else down -= r;
  }
  return returns.length ? up / down : NaN;
}

/**
 * |95th percentile| / |5th percentile| of per-bar returns (linear interpolation, as numpy). Pass `sorted`
 * (ascending, e.g. from `sortedReturns`) to share one sort with `valueAtRisk` on long series.
 */
export function tailRatio(returns: ArrayLike<number>, sorted: ArrayLike<number> = sortedReturns(returns)): number {
  return Math.abs(percentileSorted(sorted, 95)) / Math.abs(percentileSorted(sorted, 5));
}

/** Historical VaR 95% and CVaR 95% of per-bar returns, as fractions (losses are negative). */
export function valueAtRisk(
  returns: ArrayLike<number>,
  sorted: ArrayLike<number> = sortedReturns(returns),
): { var95: number; cvar95: number } {
  const var95 = percentileSorted(sorted, 5);
  // The mean of the returns at or below VaR, summed in their order (as mean(filter) would, without the array).
  let sum = 0, count = 0;
  for (let i = 0; i < returns.length; i++) {
    if (returns[i] <= var95) {
      sum += returns[i];
      count++;
    }
  }
  return { var95, cvar95: count ? sum / count : NaN };
}

export function sortedReturns(returns: ArrayLike<number>): Float64Array {
  return Float64Array.from(returns).sort();
}

/**
 * The entries of the sorted returns that `percentileSorted` reads for `percentiles`, found by selection rather than
 * a whole sort (a million bars: ~10 ms instead of ~80 ms); pass it where `sortedReturns` goes. The k-th smallest is
 * the same number either way, so the statistics are too; with a NaN in the input, the whole sort.
 */
export function sortedAt(returns: ArrayLike<number>, percentiles: readonly number[]): ArrayLike<number> {
  const a = returns instanceof Float64Array ? returns.slice() : Float64Array.from(returns); // slice: a memcpy
  const n = a.length;
  for (let i = 0; i < n; i++) if (a[i] !== a[i]) return a.sort();
  const out: Record<number, number> & { length: number } = { length: n };
  if (n === 0) return out;
  const ranks = [
    ...new Set(percentiles.flatMap((q) => [Math.floor((q / 100) * (n - 1)), Math.ceil((q / 100) * (n - 1))])),
  ]
    .sort((x, y) => x - y);
  let left = 0;
  for (const k of ranks) {
    // Everything before `left` is at most the previous rank's value, everything from it on at least: select on.
    // The rank right after one just found is the smallest of the rest: one scan rather than another selection.
    out[k] = k === left && left > 0 ? takeMin(a, left) : select(a, k, left, n - 1);
    left = k + 1;
  }
  return out;
}

/** Moves the smallest of a[left..] to a[left] and returns it. */
function takeMin(a: Float64Array, left: number): number {
  let at = left;
  for (let i = left + 1; i < a.length; i++) if (a[i] < a[at]) at = i;
  const v = a[at];
  a[at] = a[left];
  a[left] = v;
  return v;
}

/** Rearranges a[left..right] so that a[k] holds the value it would hold sorted (Hoare's FIND, median-of-3 pivot). */
function select(a: Float64Array, k: number, left: number, right: number): number {
  while (left < right) {
    const p = a[left], q = a[k], r = a[right];
    const x = p < q ? (q < r ? q : p < r ? r : p) : (p < r ? p : q < r ? r : q);
    let i = left, j = right;
    do {
      while (a[i] < x) i++;
      while (x < a[j]) j--;
      if (i <= j) {
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
        i++;
        j--;
      }
    } while (i <= j);
    if (j < k) left = i;
    if (k < i) right = j;
  }
  return a[k];
}

/** Longest run of consecutive trades (in list order) with pnl > 0, and with pnl < 0. A zero pnl breaks both. */
export function streaks(trades: readonly ClosedTrade[]): { win: number; loss: number } {
  let win = 0, loss = 0, w = 0, l = 0;
  for (const t of trades) {
    w = t.pnl > 0 ? w + 1 : 0;
    l = t.pnl < 0 ? l + 1 : 0;
    win = Math.max(win, w);
    loss = Math.max(loss, l);
  }
  return { win, loss };
}

/** Σ |size| × (entryPrice + exitPrice): the notional traded on entry and on exit. */
export function tradesTurnover(trades: readonly ClosedTrade[]): number {
  let s = 0;
  for (const t of trades) s += Math.abs(t.size) * (t.entryPrice + t.exitPrice);
  return s;
}
