/** ccxt's unified Binance structures ↔ the protocol; ccxt errors → the adapter's two error kinds. */
import ccxt from "ccxt";
import type { Fill, OrderRequest } from "../../protocol/mod.ts";
import { strategyIdOf } from "../reconcile.ts";
import { type OrderReport, VenueError } from "../venue.ts";

// deno-lint-ignore no-explicit-any
type CcxtOrder = any;
// deno-lint-ignore no-explicit-any
type CcxtTrade = any;

const STATUS: Record<string, OrderReport["status"]> = {
  open: "open",
  closed: "filled",
  canceled: "canceled",
  expired: "expired",
  rejected: "rejected",
};

export function toFill(venue: string, order: CcxtOrder, t: CcxtTrade): Fill {
  return {
    fillId: `${venue}-${t.id}`,
    clientOrderId: order.clientOrderId,
    venueOrderId: String(order.id),
    strategyId: strategyIdOf(order.clientOrderId),
    venue,
    symbol: order.symbol,
    side: order.side,
    qty: Number(t.amount),
    price: Number(t.price),
    commission: Number(t.fee?.cost ?? 0),
    commissionCurrency: t.fee?.currency ?? "",
    liquidity: t.takerOrMaker === "maker" ? "maker" : "taker",
    ts: Number(t.timestamp ?? order.timestamp ?? 0),
  };
}

export function toReport(venue: string, order: CcxtOrder, trades: readonly CcxtTrade[]): OrderReport {
  const status = STATUS[order.status] ?? "open";
  return {
    clientOrderId: order.clientOrderId,
    venueOrderId: String(order.id),
    strategyId: strategyIdOf(order.clientOrderId),
    symbol: order.symbol,
    side: order.side,
    qty: Number(order.amount),
    status,
    fills: trades.map((t) => toFill(venue, order, t)),
    ts: Number(order.lastUpdateTimestamp ?? order.timestamp ?? 0),
  };
}

/** ccxt createOrder arguments for an order request (spot: market, limit, stop-limit). */
export function toCreateArgs(
  order: OrderRequest,
  qty: number,
): [string, string, string, number, number | undefined, Record<string, unknown>] {
  const params: Record<string, unknown> = { newClientOrderId: order.clientOrderId };
  if (order.type !== "market") params.timeInForce = order.tif === "DAY" ? "GTC" : order.tif;
  if (order.type === "stop_limit" || order.type === "stop") params.triggerPrice = order.stopPrice;
  const type = order.type === "market" ? "market" : order.type === "stop" ? "market" : "limit";
  return [order.symbol, type, order.side, qty, order.limitPrice, params];
}

/** Network trouble, 5xx, 429/418 and timeouts leave the venue's state unknown: "unavailable". Anything else the venue said is final. */
export function toVenueError(err: unknown): VenueError {
  if (err instanceof VenueError) return err;
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof ccxt.NetworkError) return new VenueError("unavailable", message, { cause: err });
  if (err instanceof ccxt.AuthenticationError) return new VenueError("unavailable", message, { cause: err });
  if (err instanceof ccxt.ExchangeError) return new VenueError("rejected", message, { cause: err });
  return new VenueError("unavailable", message, { cause: err });
}

export const isDuplicate = (err: unknown) => /Duplicate order sent/.test((err as Error)?.message ?? "");
export const isNotFound = (err: unknown) => err instanceof ccxt.OrderNotFound;
