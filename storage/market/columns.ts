/** Candles as columns (typed arrays): what files parse into, the store reads out, and checks and resampling scan. */

export interface Candles {
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export function allocCandles(length: number): Candles {
  const col = () => new Float64Array(length);
  return { length, ts: col(), open: col(), high: col(), low: col(), close: col(), volume: col() };
}

/** Rows `[ts, open, high, low, close, volume]` to columns. */
export function candlesFromRows(rows: ArrayLike<readonly number[]>): Candles {
  const c = allocCandles(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    c.ts[i] = r[0], c.open[i] = r[1], c.high[i] = r[2], c.low[i] = r[3], c.close[i] = r[4], c.volume[i] = r[5];
  }
  return c;
}

export function sliceCandles(c: Candles, start: number, end: number): Candles {
  const s = (a: Float64Array) => a.subarray(start, end);
  const length = Math.max(0, Math.min(end, c.length) - start);
  return {
    length,
    ts: s(c.ts),
    open: s(c.open),
    high: s(c.high),
    low: s(c.low),
    close: s(c.close),
    volume: s(c.volume),
  };
}

/** Sorted by time, the last of equal timestamps kept (an upsert's outcome): what storing these candles yields. */
export function sortedUnique(c: Candles): Candles {
  const order = Array.from({ length: c.length }, (_, i) => i).sort((a, b) => c.ts[a] - c.ts[b] || a - b);
  const keep = order.filter((idx, k) => k === order.length - 1 || c.ts[order[k + 1]] !== c.ts[idx]);
  const out = allocCandles(keep.length);
  keep.forEach((idx, k) => {
    out.ts[k] = c.ts[idx], out.open[k] = c.open[idx], out.high[k] = c.high[idx];
    out.low[k] = c.low[idx], out.close[k] = c.close[idx], out.volume[k] = c.volume[idx];
  });
  return out;
}
