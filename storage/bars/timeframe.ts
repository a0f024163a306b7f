/** Inferring a series' timeframe from its timestamps, for files that do not say what they hold. */
import { type Timeframe, TIMEFRAME_MS, TIMEFRAMES } from "../../actors/protocol/mod.ts";

/**
 * The median spacing between consecutive bars. The median, not the minimum or mean, because weekends, holidays
 * and outages only lengthen some spacings: daily stock data has a median of exactly one day.
 */
export function medianSpacing(ts: Float64Array, length = ts.length): number {
  if (length < 2) return NaN;
  const diffs = new Float64Array(length - 1);
  for (let i = 1; i < length; i++) diffs[i - 1] = ts[i] - ts[i - 1];
  diffs.sort();
  const mid = diffs.length >> 1;
  return diffs.length % 2 === 1 ? diffs[mid] : (diffs[mid - 1] + diffs[mid]) / 2;
}

/** The timeframe closest to `spacingMs` on a log scale (so 2.5 days is nearer 1d than 1w), with the ratio to it. */
export function nearestTimeframe(spacingMs: number): { timeframe: Timeframe; ratio: number } {
  let best: Timeframe = TIMEFRAMES[0];
  let bestDistance = Infinity;
  for (const tf of TIMEFRAMES) {
    const distance = Math.abs(Math.log(spacingMs / TIMEFRAME_MS[tf]));
    if (distance < bestDistance) {
      best = tf;
      bestDistance = distance;
    }
  }
  return { timeframe: best, ratio: spacingMs / TIMEFRAME_MS[best] };
}

/** "5 minutes", "31 days": for warnings a person reads. */
export function formatDuration(ms: number): string {
  const units: [number, string][] = [[86_400_000, "day"], [3_600_000, "hour"], [60_000, "minute"], [1000, "second"]];
  for (const [size, name] of units) {
    if (ms >= size) {
      const n = Math.round((ms / size) * 10) / 10;
      return `${n} ${name}${n === 1 ? "" : "s"}`;
    }
  }
  return `${ms} ms`;
}
