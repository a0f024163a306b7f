/**
 * Timeframes as the store knows them: the protocol's fixed ones, plus the calendar month "1M" (monthly files such as
 * backtesting.py's BTCUSD.csv need it, and no fixed number of ms describes a month).
 * A timeframe divides time into slots; a candle's slot index is what gap and alignment checks compare.
 */
import { isTimeframe, type Timeframe, TIMEFRAME_MS, TIMEFRAMES } from "../../actors/protocol/market.ts";

export type StoreTimeframe = Timeframe | "1M";
export const STORE_TIMEFRAMES: readonly StoreTimeframe[] = [...TIMEFRAMES, "1M"];

// 1970-01-01 was a Thursday; weekly candles (Binance's, ISO weeks) open on Monday, four days later.
const WEEK_ORIGIN = 4 * 86_400_000;

export function isStoreTimeframe(value: string): value is StoreTimeframe {
  return value === "1M" || isTimeframe(value);
}

/** An unknown timeframe name; the message says where it came from. */
export class TimeframeError extends Error {
  override name = "TimeframeError";
}

/** Validates user input; `where` says where it came from (a flag, a file name). */
export function parseTimeframe(value: string, where: string): StoreTimeframe {
  if (isStoreTimeframe(value)) return value;
  throw new TimeframeError(`Unknown timeframe "${value}" in ${where}: expected one of ${STORE_TIMEFRAMES.join(", ")}`);
}

/** The slot a timestamp falls in; consecutive candles have consecutive slots. */
export function slotOf(ts: number, tf: StoreTimeframe): number {
  if (tf === "1M") {
    const d = new Date(ts);
    return d.getUTCFullYear() * 12 + d.getUTCMonth();
  }
  const origin = tf === "1w" ? WEEK_ORIGIN : 0;
  return Math.floor((ts - origin) / TIMEFRAME_MS[tf]);
}

/** The open time of a slot. */
export function slotStart(slot: number, tf: StoreTimeframe): number {
  if (tf === "1M") return Date.UTC(Math.floor(slot / 12), slot % 12, 1);
  return slot * TIMEFRAME_MS[tf] + (tf === "1w" ? WEEK_ORIGIN : 0);
}

/** True when `ts` is a slot's open time. Monthly data is often stamped at the month's end, so any day passes. */
export function isAligned(ts: number, tf: StoreTimeframe): boolean {
  return tf === "1M" || slotStart(slotOf(ts, tf), tf) === ts;
}

/** A run of missing candles: slots from `start` (open time of the first missing) up to, not including, `end`. */
export interface Gap {
  readonly start: number;
  readonly end: number;
  readonly missing: number;
}

/** Gaps between consecutive timestamps of a sorted, duplicate-free list. */
export function findGaps(sortedTs: ArrayLike<number>, tf: StoreTimeframe): Gap[] {
  const gaps: Gap[] = [];
  for (let i = 1; i < sortedTs.length; i++) {
    const prev = slotOf(sortedTs[i - 1], tf);
    const slot = slotOf(sortedTs[i], tf);
    if (slot - prev > 1) gaps.push({ start: slotStart(prev + 1, tf), end: sortedTs[i], missing: slot - prev - 1 });
  }
  return gaps;
}
