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
 * Orders sized by the venue (`sizing`) skip the venue's quantity and notional minimums (their quantity is not
 * known yet), but never the risk limits: those cap them (see `checkOrder`).
 * Venue rules apply to risk-reducing orders too: the venue refuses them all the same.
 */
import type { Instrument, OrderRequest } from "../protocol/mod.ts";
import { snapPrice, snapQty } from "../exchange/snap.ts";
export type { StrategyLimits } from "./limits.ts";
import { type ExposureBook, grossReach, othersWorst, type Reach, reach, worstAbs } from "./exposure.ts";

export type TradingState = "ACTIVE" | "REDUCING" | "HALTED";

/** The limits every new order is held to, for the account or for one strategy. */
export interface OrderLimits {
  /** Largest absolute position per symbol, in units (counting what open orders could add). */
  readonly maxPositionQty?: number;
  /** Largest gross exposure across symbols, in quote currency (|qty| × price × multiplier). */
  readonly maxGrossExposure?: number;
  /** Largest value of one order (qty × price × multiplier). */
  readonly maxOrderNotional?: number;
  readonly maxOpenOrders?: number;
  readonly maxOrdersPerMinute?: number;
}

/** Account-wide limits: the order limits (account totals) plus state rules and venue minimums. */
export interface RiskLimits extends OrderLimits {
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
  Pick<Instrument, "tickSize" | "stepSize" | "minQty" | "minNotional" | "multiplier" | "margin" | "commissionPerUnit">
>;

/** The order to send (quantity snapped to the venue's step), or why it is denied. */
export type Verdict =
  | { readonly kind: "pass"; readonly order: OrderRequest }
  | { readonly kind: "deny"; readonly reason: string };

/** What the checks see of the guardian: trading state, positions and open orders (see exposure.ts). */
export interface RiskView extends ExposureBook {
  readonly state: TradingState;
  /** Orders at the venue now, of one strategy or (undefined) of all. */
  openOrders(strategyId?: string): number;
  /** Orders accepted in the last 60 s of clock time, of one strategy or of all. */
  recentOrders(strategyId?: string): number;
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

/**
 * Would this order only shrink the strategy's position, even if its other open orders on the same side filled
 * first? Only such orders are allowed while REDUCING. (Only reduce-only orders skip the limits: a plain order
 * that reduces now opens a position if something else closes this one first.)
 */
export function isReducing(order: OrderRequest, view: RiskView): boolean {
  if (order.reduceOnly === true) return true;
  if (order.sizing) return false;
  const position = view.position(order.strategyId, order.symbol);
  if (position === 0 || (order.side === "sell") !== (position > 0)) return false;
  let pending = 0;
  for (const o of view.open) {
    if (o.strategyId === order.strategyId && o.symbol === order.symbol && o.side === order.side) pending += o.remaining;
  }
  return pending + order.qty <= Math.abs(position);
}

/** Caps a venue-sized order must respect: it is clamped to them when the venue resolves its quantity. */
interface Caps {
  qty: number;
  notional: number;
  /** The limit behind the tightest cap, for the denial when there is no room at all. */
  why: string;
}

const EPSILON = 1e-9;
const beyond = (value: number, limit: number) => value > limit * (1 + EPSILON) + EPSILON;

/**
 * Every pre-trade check, in order: trading state, finite numbers, the venue's rules (when known), then the
 * limits of the account and of the order's strategy, which reduce-only orders skip. The limits see the
 * snapped quantity and the worst case of the orders already open (exposure.ts).
 *
 * Every order meets every limit, whatever its sizing: an order sized by the venue (a fraction of equity) gets
 * caps (`sizing.maxQty`, `sizing.maxNotional`) from the room left under each limit; the venue clamps the
 * quantity it resolves to them, at the fill price. When there is no room, it is denied.
 * Values: the order's limit price, else its stop, else the strategy's reference price, else the last price;
 * an order that cannot be valued is denied when a value limit is set.
 */
export function checkOrder(
  requested: OrderRequest,
  limits: RiskLimits,
  view: RiskView,
  rules?: InstrumentRules,
  strategyLimits?: OrderLimits,
  venueScope?: { readonly venue: string; readonly limits: OrderLimits; readonly view: RiskView },
): Verdict {
  if (view.state === "HALTED") return { kind: "deny", reason: "trading is HALTED" };
  const numbers = [
    ["limit", requested.limitPrice],
    ["stop", requested.stopPrice],
    ["qty", requested.qty],
    ["reference price", requested.refPrice],
  ] as const;
  for (const [name, value] of numbers) {
    if (value !== undefined && !Number.isFinite(value)) {
      return { kind: "deny", reason: `${name} is not a finite number (${value})` };
    }
  }
  const fraction = requested.sizing?.fraction;
  if (fraction !== undefined && !(fraction > 0 && fraction <= 1)) {
    return { kind: "deny", reason: `sizing fraction must be in (0, 1], got ${fraction}` };
  }
  const venue = rules ? checkInstrument(requested, rules, view.lastPrice(requested.symbol)) : undefined;
  if (venue?.kind === "deny") return venue;
  const order = venue?.order ?? requested;
  // Only REDUCING needs to know (it scans the open orders: not on every order of a backtest).
  if (view.state === "REDUCING" && !isReducing(order, view)) {
    return { kind: "deny", reason: "trading is REDUCING: only orders that reduce a position" };
  }
  if (order.reduceOnly) return { kind: "pass", order }; // it cannot open anything: the limits do not apply
  const caps: Caps = { qty: Infinity, notional: Infinity, why: "" };
  const reason = checkScope(order, limits, view, undefined, caps) ??
    (strategyLimits ? checkScope(order, strategyLimits, view, order.strategyId, caps) : undefined) ??
    (venueScope
      ? checkScope(order, venueScope.limits, venueScope.view, undefined, caps, ` at venue ${venueScope.venue}`)
      : undefined) ??
    checkAccountOnly(order, limits, view);
  if (reason !== undefined) return { kind: "deny", reason };
  if (!order.sizing || (caps.qty === Infinity && caps.notional === Infinity)) return { kind: "pass", order };
  const maxQty = caps.qty === Infinity ? undefined : snapQty(caps.qty, rules?.stepSize ?? 0);
  if ((maxQty !== undefined && !(maxQty > 0)) || !(caps.notional > 0)) {
    return { kind: "deny", reason: `no room for a venue-sized order under ${caps.why}` };
  }
  const sizing = {
    ...order.sizing,
    ...(maxQty !== undefined ? { maxQty: Math.min(maxQty, order.sizing.maxQty ?? Infinity) } : {}),
    ...(caps.notional !== Infinity
      ? { maxNotional: Math.min(caps.notional, order.sizing.maxNotional ?? Infinity) }
      : {}),
  };
  return { kind: "pass", order: { ...order, sizing } };
}

/**
 * The limits of one scope: the account (strategyId undefined), one strategy, or one venue (the account's rules over
 * a view of that venue's book, `label` naming it). Tightens `caps` for sized orders.
 */
function checkScope(
  order: OrderRequest,
  limits: OrderLimits,
  view: RiskView,
  strategyId: string | undefined,
  caps: Caps,
  label?: string,
): string | undefined {
  const of = label ?? (strategyId === undefined ? "" : ` for strategy ${strategyId}`);
  const open = limits.maxOpenOrders;
  if (open !== undefined && view.openOrders(strategyId) >= open) {
    return `open orders ${view.openOrders(strategyId)} at the limit of ${open}${of}`;
  }
  const rate = limits.maxOrdersPerMinute;
  if (rate !== undefined && view.recentOrders(strategyId) >= rate) {
    return `order rate limit: ${view.recentOrders(strategyId)} orders in the last minute (max ${rate})${of}`;
  }
  const { maxOrderNotional, maxPositionQty, maxGrossExposure } = limits;
  if (maxOrderNotional === undefined && maxPositionQty === undefined && maxGrossExposure === undefined) return;
  const symbol = order.symbol;
  const sized = order.sizing !== undefined;
  const buy = order.side === "buy";
  // The order's strategy's own reach; for the account, what the other strategies hold or may still get.
  const r = reach(view, symbol, order.strategyId);
  const after = (q: number): Reach => buy ? { long: r.long + q, short: r.short } : { long: r.long, short: r.short - q };
  const account = strategyId === undefined;
  /** Room in the order's direction when the worst |position| may be `allowed` (never below 0). */
  const roomFor = (allowed: number) => Math.max(0, buy ? allowed - r.long : allowed + r.short);
  const tighten = (qty: number, notional: number, why: string) => {
    if (qty < caps.qty || (qty === caps.qty && notional < caps.notional)) caps.why = why;
    caps.qty = Math.min(caps.qty, qty);
    caps.notional = Math.min(caps.notional, notional);
  };

  const price = order.limitPrice ?? order.stopPrice ?? order.refPrice ?? view.lastPrice(symbol);
  const valued = maxOrderNotional !== undefined || maxGrossExposure !== undefined;
  if (valued && (price === undefined || !(price > 0))) {
    return `cannot value the order against ${
      maxOrderNotional !== undefined ? "maxOrderNotional" : "maxGrossExposure"
    }${of}: no price (no limit, stop or reference price, and no last price for ${symbol})`;
  }
  if (maxOrderNotional !== undefined) {
    if (sized) tighten(Infinity, maxOrderNotional, `maxOrderNotional ${maxOrderNotional}${of}`);
    else {
      const notional = order.qty * price! * view.multiplier(symbol);
      if (beyond(notional, maxOrderNotional)) {
        return `order notional ${notional.toFixed(2)} exceeds ${maxOrderNotional}${of}`;
      }
    }
  }
  if (maxPositionQty !== undefined) {
    const others = account ? othersWorst(view, symbol, order.strategyId) : 0;
    const room = roomFor(maxPositionQty - others);
    if (sized) tighten(room, Infinity, `maxPositionQty ${maxPositionQty}${of}`);
    else if (beyond(order.qty, room)) {
      const reached = buy ? r.long + order.qty : r.short - order.qty;
      const held = view.position(order.strategyId, symbol);
      const counting = (buy ? r.long === Math.max(held, 0) : r.short === Math.min(held, 0))
        ? ""
        : " (counting open orders)";
      const shared = others > 0 ? ` (other strategies hold or may get ${others})` : "";
      return `position would be ${reached} ${symbol}${counting}, beyond the limit of ${maxPositionQty}${of}${shared}`;
    }
  }
  if (maxGrossExposure !== undefined) {
    const unit = Math.max(price!, view.lastPrice(symbol) ?? 0) * view.multiplier(symbol);
    const others = grossReach(view, strategyId, order);
    const room = roomFor((maxGrossExposure - others) / unit);
    if (sized) tighten(room, room * unit, `maxGrossExposure ${maxGrossExposure}${of}`);
    else if (beyond(order.qty, room)) {
      const gross = others + worstAbs(after(order.qty)) * unit;
      return `gross exposure would be ${gross.toFixed(2)}, beyond ${maxGrossExposure}${of}`;
    }
  }
  return undefined;
}

/** Venue minimum and price band: account-wide rules that do not depend on the book. */
function checkAccountOnly(order: OrderRequest, limits: RiskLimits, view: RiskView): string | undefined {
  const price = order.limitPrice ?? order.stopPrice ?? order.refPrice;
  if (limits.minNotional !== undefined && price !== undefined && !order.sizing) {
    const notional = order.qty * price * view.multiplier(order.symbol);
    if (notional < limits.minNotional) {
      return `order notional ${notional.toFixed(2)} is below the venue minimum ${limits.minNotional}`;
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
