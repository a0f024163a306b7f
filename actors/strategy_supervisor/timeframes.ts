/**
 * Higher timeframes a strategy reads (`timeframes: ["1h"]` on 5m bars): closed base bars are aggregated as they
 * arrive, and a higher bar enters `ctx.history(symbol, "1h")` only once it is closed, never earlier:
 * - when its last base bar closes (the base bar that ends at the bucket's end), before that bar's onBar; or
 * - when a base bar of a later bucket arrives (a gap, a session that ended early), before that bar's onBar.
 * Buckets start at multiples of the timeframe since the Unix epoch, UTC, as storage/bars/resample.ts does (days at
 * 00:00 UTC, weeks on Thursdays), so the bars equal `resample()` of the same data, except that a bucket the data never
 * finishes is never shown. Open = first open, high = max, low = min, close = last close, volume = sum.
 */
import { type Bar, isTimeframe, type Timeframe, TIMEFRAME_MS } from "../protocol/mod.ts";
import { type BarRing, createBarRing, type RingColumns } from "./history.ts";
import { barAt } from "../../storage/bars/bar.ts";

/** The bucket being filled: plain data (snapshots carry it). */
export interface PendingBar {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

export interface HigherTimeframe {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  ring: BarRing;
  pending: PendingBar | undefined;
  /** Open time of the last base bar added (a repeated or older bar is ignored). */
  lastTs: number;
}

/** What a snapshot keeps of one higher timeframe. */
export interface HigherColumns {
  readonly columns: RingColumns;
  readonly pending: PendingBar | null;
  readonly lastTs: number;
}

/** The declared timeframes above `base`, checked: each a known timeframe and a whole multiple of the base. */
export function higherTimeframes(strategy: string, base: Timeframe, declared: readonly string[] = []): Timeframe[] {
  const out: Timeframe[] = [];
  for (const tf of declared) {
    if (!isTimeframe(tf)) throw new Error(`strategy ${strategy}: timeframes: unknown timeframe ${JSON.stringify(tf)}`);
    if (tf === base || out.includes(tf)) continue;
    const ratio = TIMEFRAME_MS[tf] / TIMEFRAME_MS[base];
    if (!Number.isInteger(ratio) || ratio < 1) {
      throw new Error(
        `strategy ${strategy}: timeframes: ${tf} is not a whole multiple of the ${base} bars it runs on ` +
          `(a higher timeframe is built from the base bars; run on finer data, e.g. --timeframe or other data)`,
      );
    }
    out.push(tf);
  }
  return out;
}

export function createHigherTimeframe(symbol: string, timeframe: Timeframe, capacity: number): HigherTimeframe {
  return { symbol, timeframe, ring: createBarRing(symbol, timeframe, capacity), pending: undefined, lastTs: -Infinity };
}

const close = (h: HigherTimeframe, p: PendingBar) => {
  const { symbol, timeframe } = h;
  h.ring.push({
    symbol,
    timeframe,
    ts: p.ts,
    open: p.open,
    high: p.high,
    low: p.low,
    close: p.close,
    volume: p.volume,
  });
  h.pending = undefined;
};

/** Adds one closed base bar (bars in time order); a higher bar it closes goes into the ring. */
export function addBaseBar(h: HigherTimeframe, bar: Bar, baseMs: number): void {
  const step = TIMEFRAME_MS[h.timeframe];
  const bucket = Math.floor(bar.ts / step) * step;
  if (bar.ts <= h.lastTs) return; // a repeated or older bar: already counted
  h.lastTs = bar.ts;
  let p = h.pending;
  if (p && p.ts !== bucket) {
    close(h, p);
    p = undefined;
  }
  if (!p) {
    h.pending = p = {
      ts: bucket,
      open: bar.open,
      high: bar.high,
      low: bar.low,
      close: bar.close,
      volume: bar.volume,
    };
  } else {
    if (bar.high > p.high) p.high = bar.high;
    if (bar.low < p.low) p.low = bar.low;
    p.close = bar.close;
    p.volume += bar.volume;
  }
  if (bar.ts + baseMs >= bucket + step) close(h, p);
}

export function higherColumns(h: HigherTimeframe): HigherColumns {
  return { columns: h.ring.columns(), pending: h.pending ? { ...h.pending } : null, lastTs: h.lastTs };
}

/** A higher timeframe as a snapshot left it. */
export function restoreHigher(saved: HigherColumns, capacity: number): HigherTimeframe {
  const { symbol, timeframe } = saved.columns;
  const h = createHigherTimeframe(symbol, timeframe, capacity);
  const series = { ...saved.columns, length: saved.columns.ts.length };
  for (let i = 0; i < series.length; i++) h.ring.push(barAt(series, i));
  h.pending = saved.pending ? { ...saved.pending } : undefined;
  h.lastTs = saved.lastTs;
  return h;
}
