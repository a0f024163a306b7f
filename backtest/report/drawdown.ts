// Drawdown as backtesting.py measures it: a fraction below the running equity peak, and drawdown periods
// delimited by bars at a new peak (drawdown exactly 0).
import { nanMax } from "./numeric.ts";

/** 1 − equity / running max of equity, per bar (a fraction ≥ 0). */
export function drawdownSeries(equity: ArrayLike<number>): Float64Array {
  const dd = new Float64Array(equity.length);
  let peak = -Infinity;
  for (let i = 0; i < equity.length; i++) {
    // Equity is expected finite. Unlike np.maximum.accumulate, a NaN here spoils only its own bar.
    if (equity[i] > peak) peak = equity[i];
    dd[i] = 1 - equity[i] / peak;
  }
  return dd;
}

export interface DrawdownPeriod {
  /** Bar at the peak the drawdown starts from (drawdown 0). */
  readonly startBar: number;
  /** Next bar back at a peak, or the last bar when the drawdown has not recovered. */
  readonly endBar: number;
  /** ts[endBar] − ts[startBar]. */
  readonly durationMs: number;
  /** Deepest drawdown in the period (a fraction). */
  readonly depth: number;
}

/**
 * backtesting.py's `compute_drawdown_duration_peaks`: the bars where drawdown is 0, plus the last bar, cut
 * the series into periods; a period counts only when at least one bar lies strictly between its ends. So an
 * unrecovered drawdown counts up to the last bar, and a drawdown on the last bar alone forms no period.
 */
export function drawdownPeriods(ts: ArrayLike<number>, dd: ArrayLike<number>): DrawdownPeriod[] {
  const marks: number[] = [];
  for (let i = 0; i < dd.length; i++) if (dd[i] === 0 || i === dd.length - 1) marks.push(i);
  const periods: DrawdownPeriod[] = [];
  for (let k = 1; k < marks.length; k++) {
    const startBar = marks[k - 1], endBar = marks[k];
    if (endBar <= startBar + 1) continue;
    const depth = nanMax(Array.prototype.slice.call(dd, startBar, endBar + 1) as number[]);
    periods.push({ startBar, endBar, durationMs: ts[endBar] - ts[startBar], depth });
  }
  return periods;
}
