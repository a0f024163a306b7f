// Small numeric helpers with pandas/numpy semantics: an empty input gives NaN, not 0 or an exception,
// because backtesting.py's statistics rely on NaN flowing through (e.g. no trades → NaN win rate).

/** Sum, as numpy/pandas `sum` (0 for an empty input). */
export function sum(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s;
}

/** Mean; NaN for an empty input. */
export function mean(xs: ArrayLike<number>): number {
  return xs.length ? sum(xs) / xs.length : NaN;
}

/** Sample variance (ddof = 1, pandas' default); NaN with fewer than two values. */
export function variance(xs: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const m = mean(xs);
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i] - m) ** 2;
  return s / (n - 1);
}

/** Sample covariance (ddof = 1), as `np.cov(x, y)[0, 1]`. */
export function covariance(xs: ArrayLike<number>, ys: ArrayLike<number>): number {
  const n = xs.length;
  if (n < 2) return NaN;
  const mx = mean(xs), my = mean(ys);
  let s = 0;
  for (let i = 0; i < n; i++) s += (xs[i] - mx) * (ys[i] - my);
  return s / (n - 1);
}

/** Max skipping NaN, as pandas `Series.max()`; NaN when nothing is left. */
export function nanMax(xs: ArrayLike<number>): number {
  let m = NaN;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === x && !(x <= m)) m = x; // x === x: not NaN
  }
  return m;
}

/** Min skipping NaN, as pandas `Series.min()`; NaN when nothing is left. */
export function nanMin(xs: ArrayLike<number>): number {
  let m = NaN;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (x === x && !(x >= m)) m = x;
  }
  return m;
}

/** Median; NaN for an empty input; the mean of the two middle values for an even count (as pandas). */
export function median(xs: ArrayLike<number>): number {
  const s = Float64Array.from(xs).sort(); // typed-array sort: numeric and native, no comparator calls
  const n = s.length;
  if (!n) return NaN;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/** Percentile with numpy's default linear interpolation (q in 0..100); NaN for an empty input. */
export function percentile(xs: ArrayLike<number>, q: number): number {
  return percentileSorted(Float64Array.from(xs).sort(), q); // typed-array sort: numeric, native, no comparator
}

/** `percentile` over values already sorted ascending. */
export function percentileSorted(s: ArrayLike<number>, q: number): number {
  if (!s.length) return NaN;
  const pos = (q / 100) * (s.length - 1);
  const lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/**
 * backtesting.py's `geometric_mean`: NaN returns count as 0; 0 when any 1 + r ≤ 0 (a total loss);
 * NaN for an empty input.
 */
export function geometricMean(returns: ArrayLike<number>): number {
  if (!returns.length) return NaN;
  let logSum = 0;
  for (let i = 0; i < returns.length; i++) {
    const g = 1 + (Number.isNaN(returns[i]) ? 0 : returns[i]);
    if (g <= 0) return 0;
    logSum += Math.log(g);
  }
  return Math.exp(logSum / returns.length) - 1;
}

/** Python's `x or nan`: 0 (and NaN) become NaN, so a division by it gives NaN instead of ±Infinity. */
export function orNaN(x: number): number {
  return x === 0 ? NaN : x;
}
