/** The daemon's `GET /status` document, as the terminal UI and the web dashboard read it. */

export interface PositionView {
  readonly symbol: string;
  readonly qty: number;
  readonly avgPrice: number;
  readonly lastPrice: number;
  readonly unrealized: number;
  readonly realized: number;
}

export interface LedgerView {
  readonly balance: number;
  readonly equity: number;
  readonly unrealized: number;
  readonly commissions: number;
  readonly positions: readonly PositionView[];
}

export interface StatusDocument {
  readonly portfolio?: {
    readonly total?: LedgerView;
    readonly strategies?: Readonly<Record<string, LedgerView>>;
    readonly error?: string;
  };
  readonly risk?: {
    readonly trading?: string;
    readonly openOrders?: number;
    readonly decisions?: readonly { readonly ts: number; readonly decision: string; readonly detail: string }[];
    readonly error?: string;
  };
  readonly adapter?: AdapterDoc;
  /** Several venues: each one's adapter by name. */
  readonly venues?: Readonly<Record<string, AdapterDoc>>;
}

export interface AdapterDoc {
  readonly phase?: string;
  readonly venue?: string;
  readonly error?: string;
  readonly [k: string]: unknown;
}
