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
  /** Initial margin per contract, in quote currency (futures); absent: notional / leverage. */
  readonly margin?: number;
  /** Commission per contract traded, in quote currency, on top of the venue's commission model. */
  readonly commissionPerUnit?: number;
}

/**
 * The money terms of one contract, for venues that know only some of them (a backtest's `--instrument`, a paper
 * venue's `instruments`): every field is optional and defaults to a spot unit (multiplier 1, margin = notional /
 * leverage, no fee of its own). P&L, notional, exposure and equity are qty × price × multiplier.
 */
export type ContractTerms = Partial<Pick<Instrument, "multiplier" | "margin" | "commissionPerUnit">>;
