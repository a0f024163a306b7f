/** The one shape every indicator shares, so strategies can hold any of them the same way. */

/**
 * An incremental indicator. `update` costs O(1) amortised (CCI is the documented exception) and returns the new
 * value; `value` repeats it. Scalar outputs are NaN until `ready`. Multi-output indicators return the same mutable
 * result object on every update (no allocation per bar): copy the fields if you need to keep them.
 */
export interface Indicator<Args extends readonly unknown[], Out> {
  update(...args: Args): Out;
  readonly value: Out;
  readonly ready: boolean;
  reset(): void;
}

/** Fed one number per update (usually a close). */
export type ScalarIndicator = Indicator<[x: number], number>;

/** Fed one bar per update. */
export type HlcIndicator<Out = number> = Indicator<[high: number, low: number, close: number], Out>;

/** EMA seeding: "sma" = the SMA of the first `period` inputs (Stock.Indicators, TA-Lib); "first" = the first input
 * (pandas `ewm(adjust=False)`, the StockCharts MACD worksheet), ready from the first update. */
export type EmaSeed = "sma" | "first";
