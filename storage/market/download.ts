/**
 * Historical candles through ccxt `fetchOHLCV`, cached in the candle store.
 *
 * Before asking the venue anything, the request is cut down to what is not yet known: the range minus the stored
 * candles and minus the ranges already asked for (`candle_coverage`, so a hole the venue itself has is not asked for
 * again). Only the missing parts are fetched, page by page (`since` + `limit`, `until` = the part's end), within
 * ccxt's rate limiter. Each page and its coverage are committed in one transaction, so an interrupted download
 * resumes where it stopped. The candle still open at `now` is never stored.
 */
import type { Kysely } from "kysely";
import { type Timeframe, TIMEFRAME_MS } from "../../actors/protocol/market.ts";
import type { Schema } from "../schema.ts";
import { readTimestamps, type SeriesKey, writeCandles } from "./candles.ts";
import { candlesFromRows } from "./columns.ts";
import { type Interval, mergeIntervals, subtractIntervals } from "./ranges.ts";
import { slotOf, slotStart } from "./timeframe.ts";

/** What the downloader needs of a ccxt exchange. */
export interface OhlcvSource {
  fetchOHLCV(
    symbol: string,
    timeframe?: string,
    since?: number,
    limit?: number,
    params?: Record<string, unknown>,
  ): Promise<unknown[][]>;
}

export interface DownloadRequest {
  readonly venue: string;
  readonly symbol: string;
  readonly timeframe: Timeframe;
  /** Open time, inclusive. */
  readonly from: number;
  /** Open time, exclusive. */
  readonly to: number;
}

export interface DownloadProgress {
  readonly requests: number;
  readonly stored: number;
  /** Candle slots still to fetch (an upper bound: the venue may have holes). */
  readonly remaining: number;
}

export interface DownloadOptions {
  /** Candles per request. Default 1000 (Binance spot's maximum). */
  readonly pageLimit?: number;
  /** Clock for "which candle is still open". Default `Date.now`. */
  readonly now?: () => number;
  /** Retries of a failed request on network-type errors (rate limit, timeout, unavailable). Default 3. */
  readonly retries?: number;
  readonly onProgress?: (progress: DownloadProgress) => void;
}

export interface DownloadResult {
  /** Requests made to the venue for candles. */
  readonly requests: number;
  readonly stored: number;
  /** The parts that were missing before the download. */
  readonly missing: readonly Interval[];
}

/** Parts of [from, to) neither stored nor already asked for, aligned to the timeframe. */
export async function missingRanges(
  db: Kysely<Schema>,
  request: DownloadRequest,
  now = Date.now(),
): Promise<Interval[]> {
  const { timeframe: tf } = request;
  const step = TIMEFRAME_MS[tf];
  const start = slotStart(slotOf(request.from + step - 1, tf), tf);
  // The candle open at `now` is not final: stop before it.
  const end = Math.min(slotStart(slotOf(request.to + step - 1, tf), tf), slotStart(slotOf(now, tf), tf));
  if (end <= start) return [];
  const key: SeriesKey = request;
  const stored = (await readTimestamps(db, key, { from: start, to: end })).map((ts) => ({ start: ts, end: ts + step }));
  const asked = await db.selectFrom("candle_coverage").select(["start_ts", "end_ts"])
    .where("venue", "=", key.venue).where("symbol", "=", key.symbol).where("timeframe", "=", key.timeframe)
    .where("end_ts", ">", start).where("start_ts", "<", end)
    .execute();
  const covered = mergeIntervals([
    ...stored,
    ...asked.map((r) => ({ start: Number(r.start_ts), end: Number(r.end_ts) })),
  ]);
  return subtractIntervals({ start, end }, covered);
}

const RETRYABLE = ["NetworkError", "RequestTimeout", "RateLimitExceeded", "DDoSProtection", "ExchangeNotAvailable"];

async function withRetries<T>(retries: number, run: () => Promise<T>): Promise<T> {
  for (let attempt = 0;; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= retries || !RETRYABLE.includes((error as Error).name)) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1000 * 2 ** attempt));
    }
  }
}

export async function downloadCandles(
  db: Kysely<Schema>,
  exchange: OhlcvSource,
  request: DownloadRequest,
  options: DownloadOptions = {},
): Promise<DownloadResult> {
  const limit = options.pageLimit ?? 1000;
  const step = TIMEFRAME_MS[request.timeframe];
  const missing = await missingRanges(db, request, (options.now ?? Date.now)());
  let remaining = missing.reduce((n, m) => n + (m.end - m.start) / step, 0);
  let requests = 0;
  let stored = 0;
  for (const part of missing) {
    let since = part.start;
    while (since < part.end) {
      const raw = await withRetries(
        options.retries ?? 3,
        () => exchange.fetchOHLCV(request.symbol, request.timeframe, since, limit, { until: part.end - 1 }),
      );
      requests++;
      const rows = (raw as number[][]).filter((r) => r[0] >= since && r[0] < part.end);
      // A short page means the venue has nothing more up to the part's end.
      const next = rows.length < limit ? part.end : rows[rows.length - 1][0] + step;
      const candles = candlesFromRows(rows);
      await db.transaction().execute(async (tx) => {
        await writeCandles(tx, request, candles);
        await tx.insertInto("candle_coverage")
          .values({ ...keyOf(request), start_ts: since, end_ts: next })
          .onConflict((oc) => oc.columns(["venue", "symbol", "timeframe", "start_ts"]).doUpdateSet({ end_ts: next }))
          .execute();
      });
      stored += rows.length;
      remaining -= (next - since) / step;
      options.onProgress?.({ requests, stored, remaining });
      since = next;
    }
  }
  return { requests, stored, missing };
}

const keyOf = (r: DownloadRequest) => ({ venue: r.venue, symbol: r.symbol, timeframe: r.timeframe });
