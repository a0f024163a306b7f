/**
 * Ticks as columns: trade prints (`ts, price, size[, side]`) or top-of-book quotes (`ts, bid, ask, bidSize,
 * askSize`). One series holds one kind. For quotes `price` is the mid and `size` 0; for trades the quote columns are
 * NaN. `side` is the trade's aggressor: 1 buy, −1 sell, 0 unknown (always 0 for quotes).
 */
export type TickKind = "trade" | "quote";

export interface TickSeries {
  readonly symbol: string;
  readonly kind: TickKind;
  readonly length: number;
  readonly ts: Float64Array;
  readonly price: Float64Array;
  readonly size: Float64Array;
  readonly side: Int8Array;
  readonly bid: Float64Array;
  readonly ask: Float64Array;
  readonly bidSize: Float64Array;
  readonly askSize: Float64Array;
}
