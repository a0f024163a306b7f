/**
 * Venue-sized orders (a fraction of equity) within the risk guardian's caps. Every venue that resolves such an
 * order's quantity clamps it here, so an order sized at fill time still meets the limits it was checked against.
 */
import type { OrderRequest } from "../protocol/mod.ts";
import { snapQty } from "./snap.ts";

/** `qty` clamped to `sizing.maxQty` and to `sizing.maxNotional` at `unitValue` (price × multiplier), in whole steps. */
export function clampSized(qty: number, order: OrderRequest, unitValue: number, step: number): number {
  const cap = order.sizing?.maxQty;
  if (cap !== undefined && qty > cap) qty = snapQty(cap, step);
  const notional = order.sizing?.maxNotional;
  if (notional !== undefined && qty * unitValue > notional) qty = snapQty(notional / unitValue, step);
  return qty;
}
