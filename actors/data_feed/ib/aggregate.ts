/**
 * IB's 5-second realtime bars → bars of the strategy's timeframe, closed bars only. A bucket closes when its last
 * 5-second bar arrives (the one ending at the bucket's end) or, if that one never comes (no data, a gap), when a
 * bar of a later bucket arrives. Pure: one aggregator per symbol, fed in time order; older bars are ignored.
 * The first bucket after a (re)subscription usually started before it: it is returned as `partial` (its open,
 * high, low and volume are unknown), for the feed to take from historical bars instead.
 */
import { type Bar, type Timeframe, TIMEFRAME_MS } from "../../protocol/mod.ts";

export const REALTIME_BAR_MS = 5_000;

export interface FiveSecondBar {
  /** Open time, ms. */
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

export interface Closed {
  readonly bar: Bar;
  /** The bucket began before the first 5-second bar seen: not a bar to trade on. */
  readonly partial: boolean;
}

export interface Aggregator {
  /** Adds a 5-second bar; returns the buckets it closed (0, 1, or 2 when it also skipped past a gap). */
  push(bar: FiveSecondBar): Closed[];
}

export function createAggregator(symbol: string, timeframe: Timeframe): Aggregator {
  const step = TIMEFRAME_MS[timeframe];
  let open: { ts: number; open: number; high: number; low: number; close: number; volume: number } | undefined;
  let partial = false;
  let lastTs = -Infinity;
  let first = true;
  const close = (): Closed[] => {
    if (!open) return [];
    const bar: Bar = { symbol, timeframe, ...open };
    open = undefined;
    return [{ bar, partial }];
  };
  return {
    push(b) {
      if (b.ts <= lastTs) return [];
      lastTs = b.ts;
      const bucket = Math.floor(b.ts / step) * step;
      const out = open && open.ts !== bucket ? close() : [];
      if (!open) {
        partial = first && b.ts !== bucket;
        first = false;
        open = { ts: bucket, open: b.open, high: b.high, low: b.low, close: b.close, volume: b.volume };
      } else {
        open.high = Math.max(open.high, b.high);
        open.low = Math.min(open.low, b.low);
        open.close = b.close;
        open.volume += b.volume;
      }
      if (b.ts + REALTIME_BAR_MS >= bucket + step) out.push(...close());
      return out;
    },
  };
}
