// Which bars a chart draws when there are more bars than a screen has pixels: min/max per bucket, so every peak,
// trough and the deepest drawdown stay on the chart at their true value and time, whatever the bucket size.

/**
 * Per bucket of consecutive bars: its first bar, and the bars holding each series' min and max (NaN skipped),
 * and, for each list of `extra` bars (trade markers), the first of that list falling in it. Returns the chosen bar
 * indices, ascending and unique. With `n ≤ buckets × 4` every bar is kept (nothing to gain).
 */
export function bucketExtremes(
  n: number,
  buckets: number,
  series: readonly ArrayLike<number>[],
  extra: readonly (readonly number[])[] = [],
): Uint32Array {
  if (n <= buckets * 4) return Uint32Array.from({ length: n }, (_, i) => i);
  const picked = new Uint8Array(n);
  const size = n / buckets;
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size), to = b === buckets - 1 ? n : Math.floor((b + 1) * size);
    picked[from] = 1;
    for (const s of series) {
      let lo = -1, hi = -1, loX = NaN, hiX = NaN; // the values at lo and hi, kept rather than read back
      for (let i = from; i < to; i++) {
        const x = s[i];
        if (x !== x) continue;
        if (lo < 0 || x < loX) {
          lo = i;
          loX = x;
        }
        if (hi < 0 || x > hiX) {
          hi = i;
          hiX = x;
        }
      }
      if (lo >= 0) picked[lo] = picked[hi] = 1;
    }
  }
  picked[n - 1] = 1;
  // Markers: the first of each kind per bucket, at its own bar (a marker never moves to another bar).
  for (const bars of extra) {
    const taken = new Uint8Array(buckets);
    for (const i of bars) {
      if (!(i >= 0 && i < n)) continue;
      const b = Math.min(buckets - 1, Math.floor(i / size));
      if (taken[b]) continue;
      taken[b] = 1;
      picked[i] = 1;
    }
  }
  let count = 0;
  for (let i = 0; i < n; i++) count += picked[i];
  const out = new Uint32Array(count);
  for (let i = 0, k = 0; i < n; i++) if (picked[i]) out[k++] = i;
  return out;
}
