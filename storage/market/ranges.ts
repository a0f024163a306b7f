/** Half-open time intervals [start, end): merging, and what part of a request is not yet covered. */

export interface Interval {
  readonly start: number;
  readonly end: number;
}

/** Sorted, overlapping or touching intervals joined. */
export function mergeIntervals(intervals: readonly Interval[]): Interval[] {
  const sorted = [...intervals].filter((i) => i.end > i.start).sort((a, b) => a.start - b.start);
  const out: Interval[] = [];
  for (const i of sorted) {
    const last = out[out.length - 1];
    if (last && i.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, i.end) };
    else out.push(i);
  }
  return out;
}

/** The parts of `want` that no interval of `covered` includes, in order. */
export function subtractIntervals(want: Interval, covered: readonly Interval[]): Interval[] {
  const out: Interval[] = [];
  let cursor = want.start;
  for (const c of mergeIntervals(covered)) {
    if (c.end <= cursor) continue;
    if (c.start >= want.end) break;
    if (c.start > cursor) out.push({ start: cursor, end: c.start });
    cursor = Math.max(cursor, c.end);
  }
  if (cursor < want.end) out.push({ start: cursor, end: want.end });
  return out;
}
