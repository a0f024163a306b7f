/**
 * Worst-case exposure: where positions could go if every open order filled, in the worst order.
 *
 * Limits are checked against this reach, not against today's position, so two resting orders that each fit
 * cannot together overshoot. Per strategy and symbol:
 *   long  = max(position, 0) + every buy still open that is not reduce-only
 *   short = min(position, 0) − every sell still open that is not reduce-only
 * A position never makes room for orders against it: it may be closed at any moment by something else (an
 * exit, a bracket's stop-loss at the venue, the kill switch), and the opposite order would then open a new
 * one. Reduce-only orders can only bring a position to flat, so they never raise the reach.
 * Account limits add up the strategies' worst cases: strategies are sub-accounts whose positions do not
 * offset each other.
 * A venue-sized order's open quantity is its cap (`sizing.maxQty`); without a cap it is unbounded (Infinity),
 * so an uncapped resting order blocks new orders in its direction until it resolves (fail closed).
 */
import type { OrderRequest } from "../protocol/mod.ts";

/** An order at a venue, as the limits see it. `remaining` is what may still fill (Infinity: unknown). */
export interface OpenExposure {
  readonly strategyId: string;
  readonly symbol: string;
  readonly side: "buy" | "sell";
  readonly reduceOnly: boolean;
  readonly remaining: number;
  /** The price the order was valued at when it was decided (limit, stop, else the reference price). */
  readonly price?: number;
}

export interface Reach {
  readonly long: number;
  readonly short: number;
}

/** The book the limits are measured against: filled positions and orders still open. */
export interface ExposureBook {
  /** Signed filled quantity per strategy and symbol. */
  position(strategyId: string, symbol: string): number;
  /** Every strategy and symbol with a position (non-zero or not). */
  holdings(): Iterable<{ readonly strategyId: string; readonly symbol: string; readonly qty: number }>;
  readonly open: readonly OpenExposure[];
  lastPrice(symbol: string): number | undefined;
  multiplier(symbol: string): number;
}

/** The most an order may still fill: its quantity, or for a venue-sized order its cap (Infinity without one). */
export function openQuantity(order: OrderRequest, filled: number): number {
  if (order.sizing) return Math.max(0, (order.sizing.maxQty ?? Infinity) - filled);
  return Math.max(0, order.qty - filled);
}

/** Reach of one strategy in one symbol. */
export function reach(book: ExposureBook, symbol: string, strategyId: string): Reach {
  const position = book.position(strategyId, symbol);
  let long = Math.max(position, 0);
  let short = Math.min(position, 0);
  for (const o of book.open) {
    if (o.symbol !== symbol || o.strategyId !== strategyId || o.reduceOnly) continue;
    if (o.side === "buy") long += o.remaining;
    else short -= o.remaining;
  }
  return { long, short };
}

/** Every strategy and symbol with a position or an open order, once each. */
function pairs(book: ExposureBook): Map<string, { strategyId: string; symbol: string }> {
  const out = new Map<string, { strategyId: string; symbol: string }>();
  for (const h of book.holdings()) out.set(`${h.strategyId}\u0000${h.symbol}`, h);
  for (const o of book.open) out.set(`${o.strategyId}\u0000${o.symbol}`, o);
  return out;
}

/**
 * Σ of the largest reachable |position| in `symbol` over every strategy but `except`: the account's share of a
 * position limit that other strategies use. Positions of strategies do not offset each other (each is a
 * sub-account), so a strategy reducing its own position never raises the account's.
 */
export function othersWorst(book: ExposureBook, symbol: string, except: string): number {
  let sum = 0;
  for (const p of pairs(book).values()) {
    if (p.symbol === symbol && p.strategyId !== except) sum += worstAbs(reach(book, symbol, p.strategyId));
  }
  return sum;
}

/** The largest absolute position a reach allows. */
export const worstAbs = (r: Reach) => Math.max(Math.abs(r.long), Math.abs(r.short));

/** Value of one unit of `symbol`: the last price, else the highest price among its open orders. */
export function unitValue(book: ExposureBook, symbol: string, fallback?: number): number | undefined {
  let price = book.lastPrice(symbol);
  if (price === undefined) {
    for (const o of book.open) {
      if (o.symbol === symbol && o.price !== undefined) price = Math.max(price ?? 0, o.price);
    }
  }
  price ??= fallback;
  return price === undefined ? undefined : price * book.multiplier(symbol);
}

/**
 * Worst-case gross exposure (Σ of the largest reachable |position| × unit value) of one strategy, or of the account
 * (strategyId undefined: every strategy's, summed), leaving out the pair being decided (`except`), which the
 * caller values itself.
 */
export function grossReach(
  book: ExposureBook,
  strategyId: string | undefined,
  except: { readonly strategyId: string; readonly symbol: string },
): number {
  let gross = 0;
  for (const p of pairs(book).values()) {
    if (strategyId !== undefined && p.strategyId !== strategyId) continue;
    if (p.strategyId === except.strategyId && p.symbol === except.symbol) continue;
    const abs = worstAbs(reach(book, p.symbol, p.strategyId));
    if (abs === 0) continue;
    // An unbounded order makes the exposure unbounded, whatever the price.
    gross += abs === Infinity ? Infinity : abs * (unitValue(book, p.symbol) ?? Infinity);
  }
  return gross;
}
