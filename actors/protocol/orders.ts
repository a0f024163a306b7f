/** Orders, their lifecycle events, fills, positions and accounts. */

export type OrderSide = "buy" | "sell";
export type OrderType = "market" | "limit" | "stop" | "stop_limit";
export type TimeInForce = "GTC" | "IOC" | "FOK" | "DAY";
export type Liquidity = "maker" | "taker";

/** Attached exits: placed when the parent fills, one cancels the other. */
export interface Bracket {
  readonly stopLoss?: number;
  readonly takeProfit?: number;
}

/**
 * What a modify may change. On a resting order: its limit or stop price, its quantity (never below what has filled),
 * and (a bracket entry not yet filled) its stop-loss and take-profit. On a trade (a bracket's parent after it filled):
 * the exits' prices only; their size follows the position.
 */
export interface OrderChanges {
  readonly qty?: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly stopLoss?: number;
  readonly takeProfit?: number;
}

export interface OrderRequest {
  /** Deterministic: `${strategyId}-${sequence}`; the idempotency key at every venue. */
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly type: OrderType;
  readonly qty: number;
  readonly limitPrice?: number;
  readonly stopPrice?: number;
  readonly tif: TimeInForce;
  readonly reduceOnly?: boolean;
  readonly postOnly?: boolean;
  readonly bracket?: Bracket;
  /** Orders sharing an OCO group: a fill of one cancels the others. */
  readonly ocoGroup?: string;
  /** Creation time (clock ms). */
  readonly ts: number;
  /**
   * Size from the account at fill time instead of `qty`: all available margin × fraction, in whole steps
   * (backtesting.py's "all available cash in whole units"). Live adapters resolve it from the last price.
   * The risk guardian adds caps from the room left under its limits; the venue clamps the resolved quantity
   * to `maxQty` and to `maxNotional` at the fill price (qty × price × multiplier), in whole steps.
   */
  readonly sizing?: {
    readonly mode: "equity_fraction";
    readonly fraction: number;
    readonly maxQty?: number;
    readonly maxNotional?: number;
  };
  /** Last price the strategy saw when it decided; risk checks (notional, price band) use it. */
  readonly refPrice?: number;
  readonly tag?: string;
}

export interface Fill {
  readonly fillId: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly strategyId: string;
  readonly venue: string;
  readonly symbol: string;
  readonly side: OrderSide;
  readonly qty: number;
  readonly price: number;
  readonly commission: number;
  readonly commissionCurrency: string;
  readonly liquidity: Liquidity;
  readonly ts: number;
  /** The contract multiplier when it is not 1 (futures): P&L of the fill's quantity = Δprice × qty × multiplier. */
  readonly multiplier?: number;
}

export type OrderStatus =
  | "submitted"
  | "accepted"
  | "partially_filled"
  | "filled"
  | "canceled"
  | "rejected"
  | "denied"
  | "expired";

/** Events about one order, past tense, as the venue (or the risk guardian) reports them. */
export type OrderEvent =
  | { readonly type: "OrderSubmitted"; readonly order: OrderRequest; readonly ts: number }
  | {
    readonly type: "OrderAccepted";
    readonly clientOrderId: string;
    readonly venueOrderId: string;
    readonly strategyId: string;
    readonly ts: number;
  }
  | {
    readonly type: "OrderRejected";
    readonly clientOrderId: string;
    readonly strategyId: string;
    readonly reason: string;
    readonly ts: number;
  }
  | {
    readonly type: "OrderDenied";
    readonly clientOrderId: string;
    readonly strategyId: string;
    readonly reason: string;
    readonly ts: number;
  }
  | {
    readonly type: "OrderPartiallyFilled";
    readonly clientOrderId: string;
    readonly strategyId: string;
    readonly fill: Fill;
    readonly filledQty: number;
    readonly leavesQty: number;
  }
  | {
    readonly type: "OrderFilled";
    readonly clientOrderId: string;
    readonly strategyId: string;
    readonly fill: Fill;
    readonly filledQty: number;
  }
  | {
    readonly type: "OrderCanceled";
    readonly clientOrderId: string;
    readonly strategyId: string;
    readonly reason: string;
    readonly ts: number;
  }
  | { readonly type: "OrderExpired"; readonly clientOrderId: string; readonly strategyId: string; readonly ts: number }
  /**
   * The order was changed in place (it stays open, same id). `changes` are the values now in force; `modifyId`
   * names the request (the target's id and a sequence), so a replayed event is recognised.
   */
  | {
    readonly type: "OrderModified";
    readonly clientOrderId: string;
    readonly strategyId: string;
    readonly modifyId: string;
    readonly changes: OrderChanges;
    readonly ts: number;
  }
  /**
   * A modify refused (by the risk guardian: `denied`, or by the venue): the order is left as it was and stays open.
   * Not an `OrderRejected`: that one ends the order everywhere.
   */
  | {
    readonly type: "OrderModifyRejected";
    readonly clientOrderId: string;
    readonly strategyId: string;
    readonly modifyId: string;
    readonly reason: string;
    readonly denied: boolean;
    readonly ts: number;
  };

export type OrderEventType = OrderEvent["type"];

export interface Position {
  readonly strategyId: string;
  readonly symbol: string;
  /** Signed: positive long, negative short. */
  readonly qty: number;
  readonly avgPrice: number;
  readonly realizedPnl: number;
  readonly unrealizedPnl: number;
  readonly lastPrice: number;
  readonly openedAt: number;
}

export interface Balance {
  readonly currency: string;
  readonly free: number;
  readonly locked: number;
}

export interface AccountState {
  readonly venue: string;
  readonly balances: readonly Balance[];
  readonly ts: number;
}
