/**
 * REST backfill of closed candles through ccxt `fetchOHLCV`, page by page: what a feed missed while its stream was
 * down. Only candles that have closed by `closedBy` are returned (the one still open is never a Bar). Holes the
 * venue itself has (no candle for a slot) are reported, not filled: inventing a bar would be trading on prices
 * that never printed.
 */
import { type Bar, type Timeframe, TIMEFRAME_MS } from "../../protocol/mod.ts";
import type { OhlcvSource } from "../../../storage/market/download.ts";

/** Open times missing between two candles: [from, to). */
export interface Gap {
  readonly symbol: string;
  readonly from: number;
  readonly to: number;
}

export interface Fetched {
  readonly bars: Bar[];
  readonly requests: number;
}

export interface BackfillResult extends Fetched {
  readonly gaps: Gap[];
}

/** Binance spot's largest page. */
export const PAGE_LIMIT = 1000;

export function toBar(symbol: string, timeframe: Timeframe, row: readonly unknown[]): Bar {
  const [ts, open, high, low, close, volume] = row.map(Number);
  return { symbol, timeframe, ts, open, high, low, close, volume };
}

/** Candles of one symbol opening at or after `since` and closed by `closedBy`, oldest first. */
export async function fetchClosedBars(
  source: OhlcvSource,
  symbol: string,
  timeframe: Timeframe,
  since: number,
  closedBy: number,
  pageLimit = PAGE_LIMIT,
): Promise<Fetched> {
  const step = TIMEFRAME_MS[timeframe];
  const lastOpen = closedBy - step;
  const bars: Bar[] = [];
  let requests = 0;
  let from = since;
  while (from <= lastOpen) {
    const page = await source.fetchOHLCV(symbol, timeframe, from, pageLimit, { until: lastOpen });
    requests++;
    const fresh = page.map((row) => toBar(symbol, timeframe, row)).filter((b) => b.ts >= from && b.ts <= lastOpen);
    if (fresh.length === 0) break;
    bars.push(...fresh);
    from = fresh[fresh.length - 1].ts + step;
    if (page.length < pageLimit) break;
  }
  return { bars, requests };
}

/** Slots with no candle after `after` (the last open time known), between the given bars (oldest first). */
export function findGaps(symbol: string, after: number, bars: readonly Bar[], step: number): Gap[] {
  const gaps: Gap[] = [];
  let expected = after + step;
  for (const bar of bars) {
    if (bar.ts > expected) gaps.push({ symbol, from: expected, to: bar.ts });
    expected = Math.max(expected, bar.ts + step);
  }
  return gaps;
}

/** Bars of several symbols in one time order, ties by symbol: the order the adapter and strategies expect. */
export function mergeBars(lists: readonly (readonly Bar[])[]): Bar[] {
  return lists.flat().sort((a, b) => a.ts - b.ts || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
}

/** Every symbol's candles after its cursor, closed by `closedBy`, merged in time order. */
export async function backfill(
  source: OhlcvSource,
  cursors: ReadonlyMap<string, number>,
  timeframe: Timeframe,
  closedBy: number,
  pageLimit = PAGE_LIMIT,
): Promise<BackfillResult> {
  const step = TIMEFRAME_MS[timeframe];
  const lists: Bar[][] = [];
  const gaps: Gap[] = [];
  let requests = 0;
  for (const [symbol, last] of cursors) {
    const fetched = await fetchClosedBars(source, symbol, timeframe, last + step, closedBy, pageLimit);
    requests += fetched.requests;
    lists.push(fetched.bars);
    gaps.push(...findGaps(symbol, last, fetched.bars, step));
  }
  return { bars: mergeBars(lists), requests, gaps };
}
