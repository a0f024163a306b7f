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

/** The increments and minimums a venue reports for a symbol itself (IB's contract details), as far as it knows them. */
export type VenueRules = Partial<Pick<Instrument, "tickSize" | "stepSize" | "minQty" | "minNotional" | "multiplier">>;

/**
 * Venue adapter → risk guardian, after each reconciliation (when they changed): the rules the venue resolved, per
 * symbol. The guardian checks orders against them as against configured instruments (configured fields win).
 */
export type VenueInstruments = {
  readonly type: "VenueInstruments";
  readonly venue: string;
  readonly instruments: Readonly<Record<string, VenueRules>>;
};
