/** What can be traded, and the increments a venue accepts. */
export type AssetClass = "spot" | "future" | "stock" | "fx";

export interface Instrument {
  readonly symbol: string;
  readonly venue: string;
  readonly assetClass: AssetClass;
  readonly baseCurrency: string;
  readonly quoteCurrency: string;
  /** Smallest price increment. */
  readonly tickSize: number;
  /** Smallest quantity increment. */
  readonly stepSize: number;
  readonly minQty: number;
  /** Smallest order value (price × qty × multiplier) in quote currency. */
  readonly minNotional: number;
  /** Contract multiplier; 1 for spot and shares. */
  readonly multiplier: number;
}
