/**
 * Pre-trade checks as pure functions: a verdict is the order to send (possibly with its quantity snapped) or a
 * denial reason.
 *
 * Venue increments and minimums (`InstrumentRules`, per venue and symbol), in this order:
 * 1. quantity: snapped DOWN to a whole number of steps (never send more than asked), then denied when it
 *    snaps to 0 or lies below `minQty`; otherwise the snapped quantity is what goes to the venue;
 * 2. prices (limit, stop, and the bracket's stop-loss and take-profit): never moved, because a moved price
 *    changes what the strategy asked for; a price that is not a whole number of ticks is denied;
 * 3. notional: snapped quantity × price × multiplier, the price being the limit, else the stop, else the
 *    strategy's reference price, else the last price seen; below `minNotional` is denied (no price: not checked);
 * Orders sized by the venue (`sizing`) skip the quantity and notional rules: their quantity is not known yet.
 * Venue rules apply to risk-reducing orders too: the venue refuses them all the same.
 */
import type { Instrument, OrderRequest } from "../protocol/mod.ts";
import { snapPrice, snapQty } from "../exchange/snap.ts";

export type TradingState = "ACTIVE" | "REDUCING" | "HALTED";

export interface RiskLimits {
  /** Largest absolute position per symbol, in units. */
  readonly maxPositionQty?: number;
  /** Largest gross exposure across symbols, in quote currency (|qty| × last price). */
  readonly maxGrossExposure?: number;
  readonly maxOrderNotional?: number;
  readonly maxOpenOrders?: number;
  readonly maxOrdersPerMinute?: number;
  /** Limit/stop prices must lie within this fraction of the last price (e.g. 0.1 = ±10 %). */
  readonly priceBand?: number;
  /** Loss from the day's starting equity that moves trading to HALTED. */
  readonly dailyLossLimit?: number;
  /** Drawdown from peak equity (fraction) that moves trading to REDUCING. */
  readonly maxDrawdown?: number;
  /** Venue minimums: order value below this is denied. */
  readonly minNotional?: number;
}

/** The increments and minimums of one instrument at one venue; a missing or 0 field is not checked. */
export type InstrumentRules = Partial<
  Pick<Instrument, "tickSize" | "stepSize" | "minQty" | "minNotional" | "multiplier">
>;

/** The order to send (quantity snapped to the venue's step), or why it is denied. */
export type Verdict =
  | { readonly kind: "pass"; readonly order: OrderRequest }
  | { readonly kind: "deny"; readonly reason: string };

export interface RiskView {
  readonly state: TradingState;
  position(strategyId: string, symbol: string): number;
  grossExposure(): number;
  readonly openOrders: number;
  /** Orders accepted in the last 60 s of clock time. */
  readonly recentOrders: number;
  /** Last price seen for a symbol (fills, bars, marks); the notional rule's last resort. */
  lastPrice?(symbol: string): number | undefined;
}

const offTick = (price: number, tick: number) => Math.abs(snapPrice(price, tick) - price) > tick * 1e-9;

/** Applies the venue's increments and minimums (rules in the module comment). */
export function checkInstrument(order: OrderRequest, rules: InstrumentRules, lastPrice?: number): Verdict {
  const deny = (reason: string): Verdict => ({ kind: "deny", reason });
  const step = rules.stepSize ?? 0;
  let qty = order.qty;
  if (!order.sizing) {
    qty = snapQty(order.qty, step);
    const snapped = qty === order.qty ? "" : ` (${order.qty} snapped down to the step size ${step})`;
    if (!(qty > 0)) return deny(`qty ${order.qty} snaps down to 0 at the step size ${step}`);
    if (rules.minQty && qty < rules.minQty) {
      return deny(`qty ${qty}${snapped} is below the venue minimum quantity ${rules.minQty}`);
    }
  }
  const tick = rules.tickSize ?? 0;
  if (tick > 0) {
    const prices = [
      ["limit", order.limitPrice],
      ["stop", order.stopPrice],
      ["stop-loss", order.bracket?.stopLoss],
      ["take-profit", order.bracket?.takeProfit],
    ] as const;
    for (const [name, price] of prices) {
      if (price !== undefined && offTick(price, tick)) {
        return deny(`${name} price ${price} is not a multiple of the tick size ${tick}`);
      }
    }
  }
  const price = order.limitPrice ?? order.stopPrice ?? order.refPrice ?? lastPrice;
  if (rules.minNotional && !order.sizing && price !== undefined) {
    const notional = qty * price * (rules.multiplier ?? 1);
    const minimum = rules.minNotional;
    if (notional < minimum) {
      return deny(
        `order notional ${
          notional.toFixed(2)
        } (qty ${qty} × price ${price}) is below the venue minimum notional ${minimum}`,
      );
    }
  }
  return { kind: "pass", order: qty === order.qty ? order : { ...order, qty } };
}

/** Would this order shrink the strategy's position (never grow or flip it)? */
export function isReducing(order: OrderRequest, position: number): boolean {
  if (order.sizing) return false;
  const signed = order.side === "buy" ? order.qty : -order.qty;
  return position !== 0 && Math.sign(signed) === -Math.sign(position) && Math.abs(signed) <= Math.abs(position);
}

/**
 * Every pre-trade check, in order: trading state, finite numbers, the venue's rules (when known), then the
 * exposure limits (which risk-reducing orders skip). The limits see the snapped quantity.
 */
export function checkOrder(
  requested: OrderRequest,
  limits: RiskLimits,
  view: RiskView,
  rules?: InstrumentRules,
): Verdict {
  const position = view.position(requested.strategyId, requested.symbol);
  if (view.state === "HALTED") return { kind: "deny", reason: "trading is HALTED" };
  const numbers = [["limit", requested.limitPrice], ["stop", requested.stopPrice], ["qty", requested.qty]] as const;
  for (const [name, value] of numbers) {
    if (value !== undefined && !Number.isFinite(value)) {
      return { kind: "deny", reason: `${name} is not a finite number (${value})` };
    }
  }
  const venue = rules ? checkInstrument(requested, rules, view.lastPrice?.(requested.symbol)) : undefined;
  if (venue?.kind === "deny") return venue;
  const order = venue?.order ?? requested;
  const reducing = isReducing(order, position) || order.reduceOnly === true;
  if (view.state === "REDUCING" && !reducing) {
    return { kind: "deny", reason: "trading is REDUCING: only orders that reduce a position" };
  }
  if (reducing) return { kind: "pass", order }; // risk-reducing orders pass the exposure limits
  const reason = checkLimits(order, limits, view, position);
  return reason === undefined ? { kind: "pass", order } : { kind: "deny", reason };
}

function checkLimits(order: OrderRequest, limits: RiskLimits, view: RiskView, position: number): string | undefined {
  const price = order.limitPrice ?? order.stopPrice ?? order.refPrice;
  const notional = price !== undefined && !order.sizing ? order.qty * price : undefined;
  if (limits.maxOpenOrders !== undefined && view.openOrders >= limits.maxOpenOrders) {
    return `open orders ${view.openOrders} at the limit of ${limits.maxOpenOrders}`;
  }
  if (limits.maxOrdersPerMinute !== undefined && view.recentOrders >= limits.maxOrdersPerMinute) {
    return `order rate limit: ${view.recentOrders} orders in the last minute (max ${limits.maxOrdersPerMinute})`;
  }
  if (limits.maxOrderNotional !== undefined && notional !== undefined && notional > limits.maxOrderNotional) {
    return `order notional ${notional.toFixed(2)} exceeds ${limits.maxOrderNotional}`;
  }
  if (limits.minNotional !== undefined && notional !== undefined && notional < limits.minNotional) {
    return `order notional ${notional.toFixed(2)} is below the venue minimum ${limits.minNotional}`;
  }
  if (limits.maxPositionQty !== undefined && !order.sizing) {
    const after = position + (order.side === "buy" ? order.qty : -order.qty);
    if (Math.abs(after) > limits.maxPositionQty) {
      return `position would be ${after} ${order.symbol}, beyond the limit of ${limits.maxPositionQty}`;
    }
  }
  if (limits.maxGrossExposure !== undefined && notional !== undefined) {
    const gross = view.grossExposure() + notional;
    if (gross > limits.maxGrossExposure) {
      return `gross exposure would be ${gross.toFixed(2)}, beyond ${limits.maxGrossExposure}`;
    }
  }
  if (limits.priceBand !== undefined && order.refPrice !== undefined && order.type !== "market") {
    const px = order.limitPrice ?? order.stopPrice!;
    if (Math.abs(px / order.refPrice - 1) > limits.priceBand) {
      return `price ${px} is outside ±${limits.priceBand * 100}% of the last price ${order.refPrice}`;
    }
  }
  return undefined;
}
