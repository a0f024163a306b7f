/** Market data: plain, readonly, structured-clone-safe records. Times are epoch milliseconds, UTC. */

export const TIMEFRAMES = ["1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "12h", "1d", "1w"] as const;
export type Timeframe = typeof TIMEFRAMES[number];

const MINUTE = 60_000;
export const TIMEFRAME_MS: Readonly<Record<Timeframe, number>> = {
  "1m": MINUTE,
  "3m": 3 * MINUTE,
  "5m": 5 * MINUTE,
  "15m": 15 * MINUTE,
  "30m": 30 * MINUTE,
  "1h": 60 * MINUTE,
  "2h": 120 * MINUTE,
  "4h": 240 * MINUTE,
  "6h": 360 * MINUTE,
  "12h": 720 * MINUTE,
  "1d": 1440 * MINUTE,
  "1w": 7 * 1440 * MINUTE,
};

export function isTimeframe(value: string): value is Timeframe {
  return (TIMEFRAMES as readonly string[]).includes(value);
}

/** One OHLCV candle. `ts` is the bar's open time; the bar is known only once it has closed. */
export interface Bar {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly ts: number;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
  readonly volume: number;
}

/** One trade print or quote update (a quote's `price` is its mid and `size` 0). */
export interface Tick {
  readonly symbol: string;
  readonly ts: number;
  readonly price: number;
  readonly size: number;
  readonly bid?: number;
  readonly ask?: number;
  readonly bidSize?: number;
  readonly askSize?: number;
  /** A trade's aggressor, when the data says. */
  readonly side?: "buy" | "sell";
}

/**
 * Columnar bars of one symbol and timeframe: the backtest's hot path reads these typed arrays
 * instead of allocating one object per bar.
 */
export interface BarSeries {
  readonly symbol: string;
  readonly timeframe: Timeframe;
  readonly length: number;
  readonly ts: Float64Array;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export type MarketData =
  | { readonly type: "Bar"; readonly bar: Bar }
  | { readonly type: "Tick"; readonly tick: Tick };
