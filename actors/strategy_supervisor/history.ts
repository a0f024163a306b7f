/** Ring buffers of closed bars per symbol: what `ctx.history` reads. Only delivered bars are in it. */
import type { Bar, Timeframe } from "../protocol/mod.ts";
import type { History } from "../../strategies/api.ts";
import { barAt } from "../../storage/bars/bar.ts";

/** A ring's content as columns, oldest first: what snapshots carry (typed arrays clone as one copy each). */
export interface RingColumns {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export interface BarRing extends History {
  push(bar: Bar): void;
  /** Bars oldest first (for warm-up replay after a restart). */
  bars(): Bar[];
  columns(): RingColumns;
}

/** Bars of several rings' columns, merged in time order (restores replay them). */
export function barsOf(columns: readonly RingColumns[]): Bar[] {
  const out: Bar[] = [];
  for (const c of columns) {
    const series = { ...c, length: c.ts.length };
    for (let i = 0; i < series.length; i++) out.push(barAt(series, i));
  }
  return out.sort((a, b) => a.ts - b.ts);
}

export function createBarRing(symbol: string, timeframe: Timeframe, capacity: number): BarRing {
  const ts = new Float64Array(capacity);
  const o = new Float64Array(capacity);
  const h = new Float64Array(capacity);
  const l = new Float64Array(capacity);
  const c = new Float64Array(capacity);
  const v = new Float64Array(capacity);
  let head = -1;
  let size = 0;
  const at = (ago: number) => {
    if (!(ago >= 0 && ago < size)) return -1;
    return (head - ago + capacity) % capacity;
  };
  const read = (arr: Float64Array) => (ago = 0) => {
    const i = at(ago);
    return i < 0 ? NaN : arr[i];
  };
  return {
    symbol,
    timeframe,
    get length() {
      return size;
    },
    push(bar) {
      head = (head + 1) % capacity;
      ts[head] = bar.ts;
      o[head] = bar.open;
      h[head] = bar.high;
      l[head] = bar.low;
      c[head] = bar.close;
      v[head] = bar.volume;
      if (size < capacity) size++;
    },
    open: read(o),
    high: read(h),
    low: read(l),
    close: read(c),
    volume: read(v),
    time: read(ts),
    closes(n) {
      const k = Math.min(n, size);
      const out = new Float64Array(k);
      for (let j = 0; j < k; j++) out[j] = c[at(k - 1 - j)];
      return out;
    },
    columns() {
      const take = (arr: Float64Array) => {
        const out = new Float64Array(size);
        for (let j = 0; j < size; j++) out[j] = arr[at(size - 1 - j)];
        return out;
      };
      return {
        symbol,
        timeframe,
        ts: take(ts),
        open: take(o),
        high: take(h),
        low: take(l),
        close: take(c),
        volume: take(v),
      };
    },
    bars() {
      const out: Bar[] = [];
      for (let ago = size - 1; ago >= 0; ago--) {
        const i = at(ago);
        out.push({ symbol, timeframe, ts: ts[i], open: o[i], high: h[i], low: l[i], close: c[i], volume: v[i] });
      }
      return out;
    },
  };
}
