/**
 * The bars and ticks of a search, copied once into SharedArrayBuffers: every Worker gets views of the same memory in
 * its init message (structured clone shares a SharedArrayBuffer, it does not copy it), so nothing is parsed or copied
 * per Worker or per combination. The columns are never written after sharing.
 */
import type { BarSeries, Timeframe } from "../../actors/protocol/mod.ts";
import type { TickKind, TickSeries } from "../../storage/ticks/mod.ts";
import type { RunData } from "./runner.ts";

const BAR_COLUMNS = ["ts", "open", "high", "low", "close", "volume"] as const;
const TICK_COLUMNS = ["ts", "price", "size", "bid", "ask", "bidSize", "askSize"] as const;

export interface SharedBars {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly length: number;
  /** BAR_COLUMNS one after the other, `length` Float64 each. */
  readonly buffer: SharedArrayBuffer;
}

export interface SharedTicks {
  readonly symbol: string;
  readonly kind: TickKind;
  readonly length: number;
  /** TICK_COLUMNS one after the other, `length` Float64 each. */
  readonly buffer: SharedArrayBuffer;
  /** The side column (Int8). */
  readonly side: SharedArrayBuffer;
}

export interface SharedData {
  readonly bars: readonly SharedBars[];
  readonly ticks: readonly SharedTicks[];
}

function pack(length: number, columns: readonly Float64Array[]): SharedArrayBuffer {
  const buffer = new SharedArrayBuffer(Math.max(1, columns.length * length) * Float64Array.BYTES_PER_ELEMENT);
  columns.forEach((c, i) => new Float64Array(buffer, i * length * 8, length).set(c.subarray(0, length)));
  return buffer;
}

function column(buffer: SharedArrayBuffer, i: number, length: number): Float64Array {
  return new Float64Array(buffer, i * length * 8, length);
}

export function shareData(data: RunData): SharedData {
  return {
    bars: data.bars.map((s) => ({
      symbol: s.symbol,
      timeframe: s.timeframe,
      length: s.length,
      buffer: pack(s.length, BAR_COLUMNS.map((k) => s[k])),
    })),
    ticks: data.ticks.map((t) => {
      const side = new SharedArrayBuffer(Math.max(1, t.length));
      new Int8Array(side, 0, t.length).set(t.side.subarray(0, t.length));
      return {
        symbol: t.symbol,
        kind: t.kind,
        length: t.length,
        buffer: pack(t.length, TICK_COLUMNS.map((k) => t[k])),
        side,
      };
    }),
  };
}

/** Views of the shared columns: the series a runner reads, in any thread. */
export function openData(shared: SharedData): RunData {
  return {
    bars: shared.bars.map((s): BarSeries => {
      const [ts, open, high, low, close, volume] = BAR_COLUMNS.map((_, i) => column(s.buffer, i, s.length));
      return { symbol: s.symbol, timeframe: s.timeframe, length: s.length, ts, open, high, low, close, volume };
    }),
    ticks: shared.ticks.map((t): TickSeries => {
      const [ts, price, size, bid, ask, bidSize, askSize] = TICK_COLUMNS.map((_, i) => column(t.buffer, i, t.length));
      return {
        symbol: t.symbol,
        kind: t.kind,
        length: t.length,
        ts,
        price,
        size,
        side: new Int8Array(t.side, 0, t.length),
        bid,
        ask,
        bidSize,
        askSize,
      };
    }),
  };
}
