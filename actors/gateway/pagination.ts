/**
 * Pages of journal-backed lists: newest first, `limit` items (default 100, at most 500), and a cursor that is the
 * journal seq of the last item shown (the next page holds the items older than it). The cursor is stable while new
 * items arrive, and any page can be fetched again.
 */
import type { BodyOf } from "./schema.ts";
import { refuse } from "./http.ts";

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export const DEFAULT_PAGE = 100;

/** `items` in ascending seq order; `keep` filters. */
export function pageOf<T extends { readonly seq: number }>(
  items: readonly T[],
  query: BodyOf,
  keep: (item: T) => boolean = () => true,
): Page<T> {
  const limit = (query.limit as number | undefined) ?? DEFAULT_PAGE;
  const before = query.cursor === undefined ? Infinity : Number(query.cursor);
  const out: T[] = [];
  let i = items.length - 1;
  // Ascending seqs: skip the newer ones with a binary search rather than a walk.
  if (before !== Infinity) {
    let lo = 0, hi = items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (items[mid].seq < before) lo = mid + 1;
      else hi = mid;
    }
    i = lo - 1;
  }
  for (; i >= 0; i--) {
    const item = items[i];
    if (!keep(item)) continue;
    if (out.length === limit) return { items: out, nextCursor: String(out[out.length - 1].seq) };
    out.push(item);
  }
  return { items: out, nextCursor: null };
}

/** `since` as epoch ms: digits are epoch ms, anything else an ISO-8601 date/time (UTC unless it says otherwise). */
export function parseSince(text: string): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const iso = text.replace(" ", "T").replace(/([+-]\d{2})(\d{2})$/, "$1:$2");
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(iso) || !iso.includes("T") ? iso : `${iso}Z`;
  const ms = Date.parse(zoned);
  return Number.isFinite(ms) ? ms : undefined;
}

/** A query's `since` filter: undefined when absent, the time in ms, or a 400 answer when it is not a date. */
export function sinceOf(query: BodyOf): number | undefined | Response {
  if (query.since === undefined) return undefined;
  return parseSince(query.since as string) ?? refuse(400, `"since" is not a date: ${JSON.stringify(query.since)}`);
}
