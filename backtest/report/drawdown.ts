// Drawdown as backtesting.py measures it: a fraction below the running equity peak, and drawdown periods
// delimited by bars at a new peak (drawdown exactly 0).

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
  // One pass: the deepest drawdown since the last cut is kept as it goes (as nanMax over dd[a..b], in the same
  // order, so even ±0 come out alike), instead of copying each period's slice.
  const periods: DrawdownPeriod[] = [];
  const last = dd.length - 1;
  let startBar = -1, depth = NaN;
  for (let i = 0; i <= last; i++) {
    const d = dd[i];
    if (d === d && !(d <= depth)) depth = d;
    if (d !== 0 && i !== last) continue;
    if (startBar >= 0 && i > startBar + 1) {
      periods.push({ startBar, endBar: i, durationMs: ts[i] - ts[startBar], depth });
    }
    startBar = i;
    depth = d === d ? d : NaN;
  }
  return periods;
}
