// Statistics backtesting.py does not compute. Their conventions are ours; see README.md.
import { mean, percentileSorted } from "./numeric.ts";
import type { ClosedTrade } from "./types.ts";

/** Simple per-bar equity returns, skipping bars where the return is not finite (e.g. after equity hit 0). */
export function barReturns(equity: ArrayLike<number>): number[] {
  const out: number[] = [];
  for (let i = 1; i < equity.length; i++) {
    const r = equity[i] / equity[i - 1] - 1;
    if (Number.isFinite(r)) out.push(r);
  }
  return out;
}

/** Omega ratio at threshold 0: Σ gains / Σ |losses| of per-bar returns. */
export function omegaRatio(returns: readonly number[]): number {
  let up = 0, down = 0;
  for (const r of returns) {
    if (r > 0) up += r;
    else down -= r;
  }
  return returns.length ? up / down : NaN;
}

/**
 * |95th percentile| / |5th percentile| of per-bar returns (linear interpolation, as numpy). Pass `sorted`
 * (ascending, e.g. from `sortedReturns`) to share one sort with `valueAtRisk` on long series.
 */
export function tailRatio(returns: readonly number[], sorted = sortedReturns(returns)): number {
  return Math.abs(percentileSorted(sorted, 95)) / Math.abs(percentileSorted(sorted, 5));
}

/** Historical VaR 95% and CVaR 95% of per-bar returns, as fractions (losses are negative). */
export function valueAtRisk(
  returns: readonly number[],
  sorted = sortedReturns(returns),
): { var95: number; cvar95: number } {
  const var95 = percentileSorted(sorted, 5);
  return { var95, cvar95: mean(returns.filter((r) => r <= var95)) };
}

export function sortedReturns(returns: readonly number[]): Float64Array {
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
