/**
 * Binance's view of orders for reconciliation and polling: an order by client order id (GET /api/v3/order with
 * origClientOrderId) plus its fills (GET /api/v3/myTrades?orderId=), and open orders per symbol.
 * Order updates are polled, not streamed: one REST call per open order per poll is cheap at our order counts,
 * and polling and reconciliation then share this one code path (the user-data stream is a later optimisation).
 */
import type { Exchange } from "ccxt";
import type { OrderReport } from "../venue.ts";
import { isNotFound, toReport, toVenueError } from "./mapping.ts";

// deno-lint-ignore no-explicit-any
type CcxtOrder = any;

export async function withTrades(exchange: Exchange, venue: string, order: CcxtOrder): Promise<OrderReport> {
  const filled = Number(order.filled ?? 0);
  let trades = Array.isArray(order.trades) ? order.trades : [];
  if (filled > 0 && trades.reduce((s: number, t: { amount: number }) => s + Number(t.amount), 0) < filled) {
    trades = await exchange.fetchMyTrades(order.symbol, undefined, undefined, { orderId: order.id });
  }
  return toReport(venue, order, trades);
}

export async function fetchReport(
  exchange: Exchange,
  venue: string,
  clientOrderId: string,
  symbol: string,
): Promise<OrderReport | undefined> {
  try {
    const order = await exchange.fetchOrder(undefined as unknown as string, symbol, {
      origClientOrderId: clientOrderId,
    });
    return await withTrades(exchange, venue, order);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw toVenueError(err);
  }
}

export async function fetchOpenReports(exchange: Exchange, venue: string, symbols: readonly string[]) {
  const out: OrderReport[] = [];
  try {
    for (const symbol of symbols) {
      for (const order of await exchange.fetchOpenOrders(symbol)) out.push(await withTrades(exchange, venue, order));
    }
  } catch (err) {
    throw toVenueError(err);
  }
  return out;
}
