/**
 * What a modify may change, as one rule set for the risk guardian and every venue (sim, paper, the adapters):
 * - at least one field, each a finite number > 0;
 * - `limitPrice` only on limit and stop-limit orders, `stopPrice` only on stop and stop-limit orders (not once a
 *   stop-limit has triggered: it is a resting limit then);
 * - `qty` only on orders with a quantity (not sized at the venue), and above what has filled already;
 * - `stopLoss` / `takeProfit` only on an entry that carries that bracket (on its exits once it filled: see the venue).
 * A refused modify leaves the order as it was.
 */
import type { OrderChanges, OrderRequest } from "../protocol/mod.ts";

const FIELDS = ["qty", "limitPrice", "stopPrice", "stopLoss", "takeProfit"] as const;

/** Why `changes` cannot apply to `order` (with `filled` already filled), or undefined. */
export function changesProblem(
  order: OrderRequest,
  changes: OrderChanges,
  filled: number,
  triggered = false,
): string | undefined {
  const given = FIELDS.filter((f) => changes[f] !== undefined);
  if (given.length === 0) return "modify: nothing to change";
  for (const f of given) {
    const v = changes[f]!;
    if (typeof v !== "number" || !Number.isFinite(v) || !(v > 0)) return `modify: ${f} must be a number > 0, got ${v}`;
  }
  const t = order.type;
  if (changes.limitPrice !== undefined && t !== "limit" && t !== "stop_limit") {
    return `modify: a ${t} order has no limit price`;
  }
  if (changes.stopPrice !== undefined) {
    if (t !== "stop" && t !== "stop_limit") return `modify: a ${t} order has no stop price`;
    if (triggered) return "modify: the stop has triggered already";
  }
  if (changes.qty !== undefined) {
    if (order.sizing) return "modify: an order sized at the venue has no quantity to change";
    if (!(changes.qty > filled)) return `modify: qty ${changes.qty} is not above the ${filled} filled already`;
  }
  if (changes.stopLoss !== undefined && order.bracket?.stopLoss === undefined) {
    return `modify: order ${order.clientOrderId} has no stop-loss`;
  }
  if (changes.takeProfit !== undefined && order.bracket?.takeProfit === undefined) {
    return `modify: order ${order.clientOrderId} has no take-profit`;
  }
  return undefined;
}

/** The order with `changes` in force (check them first with `changesProblem`). */
export function applyChanges(order: OrderRequest, changes: OrderChanges): OrderRequest {
  const next: { -readonly [K in keyof OrderRequest]: OrderRequest[K] } = { ...order };
  if (changes.qty !== undefined) next.qty = changes.qty;
  if (changes.limitPrice !== undefined) next.limitPrice = changes.limitPrice;
  if (changes.stopPrice !== undefined) next.stopPrice = changes.stopPrice;
  if (changes.stopLoss !== undefined || changes.takeProfit !== undefined) {
    next.bracket = {
      ...order.bracket,
      ...(changes.stopLoss !== undefined ? { stopLoss: changes.stopLoss } : {}),
      ...(changes.takeProfit !== undefined ? { takeProfit: changes.takeProfit } : {}),
    };
  }
  return next;
}

/** Does the change lose the order its place in the queue (price-time priority)? Only a smaller qty keeps it. */
export function losesPriority(order: OrderRequest, changes: OrderChanges): boolean {
  return (changes.limitPrice !== undefined && changes.limitPrice !== order.limitPrice) ||
    (changes.stopPrice !== undefined && changes.stopPrice !== order.stopPrice) ||
    (changes.qty !== undefined && changes.qty > order.qty);
}

/** For a trade (a bracket parent that filled): only the exits' prices. */
export function tradeChangesProblem(changes: OrderChanges): string | undefined {
  if (changes.qty !== undefined || changes.limitPrice !== undefined || changes.stopPrice !== undefined) {
    return "modify of a trade: only stopLoss and takeProfit (its exits follow the position)";
  }
  if (changes.stopLoss === undefined && changes.takeProfit === undefined) return "modify: nothing to change";
  for (const f of ["stopLoss", "takeProfit"] as const) {
    const v = changes[f];
    if (v !== undefined && (typeof v !== "number" || !Number.isFinite(v) || !(v > 0))) {
      return `modify: ${f} must be a number > 0, got ${v}`;
    }
  }
  return undefined;
}
