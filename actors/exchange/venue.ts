/**
 * The one interface every venue client implements (paper, binance, ib next). The generic adapter
 * (adapter_core.ts) turns it into an actor with a write-ahead journal, deduplication and reconciliation;
 * a venue folder only says how to talk to its venue: `client.ts` (connection), `mapping.ts` (wire formats ↔
 * protocol), `reconcile.ts` (the venue's view of orders as reports) and `adapter.ts` (the behaviour).
 */
import type {
  Balance,
  Bar,
  Fill,
  ModifyOrder,
  OrderChanges,
  OrderRequest,
  OrderSide,
  VenueRules,
} from "../protocol/mod.ts";

/** The venue's view of one order: what reconciliation and polling compare with the journal. */
export interface OrderReport {
  readonly clientOrderId: string;
  readonly venueOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: OrderSide;
  /** The venue's order quantity (for an order sized at the venue, the resolved quantity). */
  readonly qty: number;
  readonly status: "open" | "filled" | "canceled" | "rejected" | "expired";
  /** Every fill so far, oldest first, each with a venue-unique `fillId`. */
  readonly fills: readonly Fill[];
  readonly reason?: string;
  readonly ts: number;
}

/** Why a venue call failed; the adapter's reaction depends only on the kind. */
export type VenueErrorKind =
  /** The venue refused the request (bad order, no funds): final for that request. */
  | "rejected"
  /** Could not reach or read the venue (network, 5xx, 429, timeout): state unknown, back off and reconcile. */
  | "unavailable";

export class VenueError extends Error {
  override name = "VenueError";
  constructor(readonly kind: VenueErrorKind, message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

export interface SubmitContext {
  /** Clock time of the venue's market (paper: the last bar's time; live: now). */
  readonly now: number;
  /** Last price per symbol, for orders sized at the venue. */
  readonly lastPrice: ReadonlyMap<string, number>;
}

/** A modify as a venue sees it: the target's id (an order, or with `trade` a bracket parent), and its symbol. */
export type ModifyRequest = Pick<ModifyOrder, "clientOrderId" | "strategyId" | "modifyId" | "changes" | "trade"> & {
  readonly symbol: string;
};

/** A modify's outcome: the changes in force, or why the venue refused (the order stays as it was). */
export type ModifyOutcome =
  | { readonly kind: "modified"; readonly changes: OrderChanges; readonly report?: OrderReport }
  | { readonly kind: "refused"; readonly reason: string; readonly report?: OrderReport };

export interface VenueClient {
  readonly name: string;
  /** Connects (loads markets); throws VenueError("unavailable") when the venue cannot be read. */
  connect(): Promise<void>;
  submit(order: OrderRequest, context: SubmitContext): Promise<OrderReport>;
  /** Cancels by client order id; undefined when the venue never saw the order. */
  cancel(clientOrderId: string, symbol: string, now: number): Promise<OrderReport | undefined>;
  /**
   * Changes an open order in place, same client order id (paper: the matching engine; IB: placeOrder again with the
   * same orderId). Must be idempotent for one `modifyId` (the values are absolute, so applying twice is harmless).
   * Venues without it: the adapter refuses modifies of plain orders (brackets the risk guardian manages are
   * moved by cancel and replace there).
   */
  modify?(request: ModifyRequest, context: SubmitContext): Promise<ModifyOutcome>;
  /** The venue's report of one order by client order id; undefined when the venue never saw it. */
  report(clientOrderId: string, symbol: string): Promise<OrderReport | undefined>;
  /** Orders open at the venue (including ones the journal does not know: they are reported, never touched). */
  openOrders(): Promise<OrderReport[]>;
  balances(): Promise<Balance[]>;
  /**
   * Venues that push order updates (IB): reports of the orders that changed since the last call. Polling adds the
   * bracket legs among them, which the adapter cannot ask for by id before it knows them.
   */
  changed?(): OrderReport[];
  /** Paper venues match on market data: the reports of every order the bar touched, in venue order. */
  onBar?(bar: Bar): Promise<OrderReport[]>;
  /**
   * Venues that keep sub-accounts (paper): the capital a strategy's equity-fraction orders are sized from, for a
   * strategy added while running. Durable like the rest of the venue.
   */
  setStrategyCapital?(strategyId: string, capital: number): Promise<void>;
  /**
   * Venues that resolve their instruments (IB, from reqContractDetails): each symbol's rules as known after the last
   * `connect()`. The adapter passes them to the risk guardian, which checks orders against them.
   */
  instrumentRules?(): Readonly<Record<string, VenueRules>>;
  close(): Promise<void>;
}
