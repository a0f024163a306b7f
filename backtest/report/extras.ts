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
export function tailRatio(returns: ArrayLike<number>, sorted = sortedReturns(returns)): number {
  return Math.abs(percentileSorted(sorted, 95)) / Math.abs(percentileSorted(sorted, 5));
}

/** Historical VaR 95% and CVaR 95% of per-bar returns, as fractions (losses are negative). */
export function valueAtRisk(
  returns: ArrayLike<number>,
  sorted = sortedReturns(returns),
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
