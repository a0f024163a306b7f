/** The order the guardian tests send by default: a market buy of 1 X at the sim venue, last seen at 100. */
import type { OrderRequest } from "../../../actors/protocol/mod.ts";

export function testOrder(clientOrderId: string, strategyId: string, ts: number, fields: Partial<OrderRequest> = {}) {
  const order: OrderRequest = {
    clientOrderId,
    strategyId,
    venue: "sim",
    symbol: "X",
    side: "buy",
    type: "market",
    qty: 1,
    tif: "GTC",
    ts,
    refPrice: 100,
    ...fields,
  };
  return order;
}
