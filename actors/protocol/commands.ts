/** Commands to venues and the messages every exchange adapter (sim, paper, binance, ib) accepts. */
import type { Bar, Tick } from "./market.ts";
import type { AccountState, OrderChanges, OrderEvent, OrderRequest } from "./orders.ts";

export type SubmitOrder = {
  readonly type: "SubmitOrder";
  readonly order: OrderRequest;
  /** Who receives this order's events (the strategy supervisor). */
  readonly replyTo: string;
};
export type CancelOrder = {
  readonly type: "CancelOrder";
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly replyTo: string;
};
/**
 * Change an open order in place: `clientOrderId` is a resting order, or a bracket's parent (`trade: true` may say so
 * explicitly) to move its exits. Answered by `OrderModified` or `OrderModifyRejected` (the order as it was).
 */
export type ModifyOrder = {
  readonly type: "ModifyOrder";
  readonly clientOrderId: string;
  readonly strategyId: string;
  /** `${clientOrderId}~${n}`: deterministic, so a replayed modify is recognised (never applied twice). */
  readonly modifyId: string;
  readonly changes: OrderChanges;
  readonly trade?: boolean;
  readonly replyTo: string;
};
export type CancelAll = { readonly type: "CancelAll"; readonly strategyId?: string; readonly symbol?: string };

/**
 * Capital moved to (+) or from (−) a strategy by the portfolio's allocation (a rebalance); the moves of one rebalance
 * sum to zero, so the account is unchanged. The venue's sub-account, the risk guardian's loss base and the strategy's
 * own books follow it.
 */
export type AdjustCapital = { readonly type: "AdjustCapital"; readonly strategyId: string; readonly delta: number };

export type MarketDataMessage =
  | { readonly type: "Bar"; readonly bar: Bar }
  | { readonly type: "Tick"; readonly tick: Tick };

/** What every exchange adapter's mailbox accepts. */
export type ExchangeMessage =
  | SubmitOrder
  | CancelOrder
  | ModifyOrder
  | CancelAll
  | MarketDataMessage
  | { readonly type: "GetAccount" };

export type AccountReply = { readonly type: "Account"; readonly account: AccountState; readonly equity: number };

export type { OrderEvent };
export const ORDER_EVENT_TYPES = [
  "OrderSubmitted",
  "OrderAccepted",
  "OrderRejected",
  "OrderDenied",
  "OrderPartiallyFilled",
  "OrderFilled",
  "OrderCanceled",
  "OrderExpired",
  "OrderModified",
  "OrderModifyRejected",
] as const satisfies readonly OrderEvent["type"][];
