/**
 * IB historical bars (reqHistoricalData) as a candle source for the downloader (storage/market/download.ts asks only
 * for the ranges the store is missing) and for the feed's backfill after a reconnect.
 *
 * IB's rules: one request returns at most a bar-size-dependent duration (1 day of 1-minute bars, a week of 5-30 minute
 * bars, a month of hourly bars, a year of daily bars), and too many requests (60 in 10 minutes, or identical ones
 * within 15 s) answer error 162 "pacing violation": we wait `pacingBackoffMs` (doubling) and ask again, up to
 * `pacingRetries` times.
 */
import { EventName, type IBApi } from "@stoqey/ib";
import { type Bar, type Timeframe, TIMEFRAME_MS } from "../../protocol/mod.ts";
import { collect } from "../../exchange/ib/connection.ts";
import { type ContractSpec, toContract } from "../../exchange/ib/mapping.ts";
import { VenueError } from "../../exchange/venue.ts";

const BAR_SIZE: Record<Timeframe, string> = {
  "1m": "1 min",
  "3m": "3 mins",
  "5m": "5 mins",
  "15m": "15 mins",
  "30m": "30 mins",
  "1h": "1 hour",
  "2h": "2 hours",
  "4h": "4 hours",
  "6h": "1 hour", // IB has no 6-hour bars: asked as hours, resampled by the caller if needed
  "12h": "1 hour",
  "1d": "1 day",
  "1w": "1 week",
};

const DAY = 86_400_000;
/** The longest duration one request may span, per timeframe (IB's historical data limitations). */
export function maxSpanMs(tf: Timeframe): number {
  const step = TIMEFRAME_MS[tf];
  if (step <= 60_000) return DAY;
  if (step <= 30 * 60_000) return 7 * DAY;
  if (step < DAY) return 30 * DAY;
  return 365 * DAY;
}

export const whatToShow = (spec: ContractSpec) => spec.secType === "CASH" ? "MIDPOINT" : "TRADES";

/** "yyyyMMdd-HH:mm:ss" in UTC: the endDateTime form IB takes without a time zone name. */
export const ibUtc = (ms: number) => new Date(ms).toISOString().replace(/-/g, "").replace("T", "-").slice(0, 17);

/** Duration covering `ms`: seconds up to a day, whole days beyond (IB refuses more than 86400 S). */
export function durationOf(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s <= 86_400 ? `${s} S` : `${Math.ceil(s / 86_400)} D`;
}

/** A bar's date as IB sends it with formatDate 2: epoch seconds, or yyyyMMdd for daily bars. */
export function barTime(date: string): number {
  if (/^\d{8}$/.test(date)) return Date.UTC(+date.slice(0, 4), +date.slice(4, 6) - 1, +date.slice(6, 8));
  const n = Number(date);
  if (!Number.isFinite(n)) throw new Error(`Cannot parse IB bar date ${JSON.stringify(date)}`);
  return n * 1000;
}

export interface HistoryOptions {
  readonly timeoutMs: number;
  readonly pacingBackoffMs: number;
  readonly pacingRetries: number;
  readonly sleep?: (ms: number) => Promise<void>;
}

let reqSeq = 50_000;

/** Bars of [from, to) (open times), one request; pacing violations are waited out and retried. */
export async function fetchIbBars(
  api: IBApi,
  symbol: string,
  spec: ContractSpec,
  timeframe: Timeframe,
  from: number,
  to: number,
  options: HistoryOptions,
): Promise<Bar[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  for (let attempt = 0;; attempt++) {
    const reqId = ++reqSeq;
    try {
      const rows = await collect({
        api,
        reqId,
        send: () =>
          api.reqHistoricalData(
            reqId,
            toContract(symbol, spec),
            ibUtc(to),
            durationOf(to - from),
            BAR_SIZE[timeframe] as never,
            whatToShow(spec) as never,
            0,
            2,
            false,
          ),
        item: EventName.historicalData,
        pick: (id: number, date: string, open: number, high: number, low: number, close: number, volume: number) =>
          id === reqId && !date.startsWith("finished")
            ? { symbol, timeframe, ts: barTime(date), open, high, low, close, volume: Math.max(0, volume ?? 0) }
            : undefined,
        end: EventName.historicalData,
        isEnd: (id: number, date: string) => id === reqId && date.startsWith("finished"),
        timeoutMs: options.timeoutMs,
        what: `historical bars of ${symbol}`,
      });
      return rows.filter((b) => b.ts >= from && b.ts < to);
    } catch (err) {
      const pacing = err instanceof VenueError && err.kind === "unavailable" &&
        /\(IB 16[2]\)|pacing/i.test(err.message);
      if (!pacing || attempt >= options.pacingRetries) throw err;
      await sleep(options.pacingBackoffMs * 2 ** attempt);
    }
  }
}
