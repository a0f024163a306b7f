/** Pre-trade checks as pure functions: each returns a denial reason or undefined. */
import type { OrderRequest } from "../protocol/mod.ts";

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

export interface RiskView {
  readonly state: TradingState;
  position(strategyId: string, symbol: string): number;
  grossExposure(): number;
  readonly openOrders: number;
  /** Orders accepted in the last 60 s of clock time. */
  readonly recentOrders: number;
}

/** Would this order shrink the strategy's position (never grow or flip it)? */
export function isReducing(order: OrderRequest, position: number): boolean {
  if (order.sizing) return false;
  const signed = order.side === "buy" ? order.qty : -order.qty;
  return position !== 0 && Math.sign(signed) === -Math.sign(position) && Math.abs(signed) <= Math.abs(position);
}

export function checkOrder(order: OrderRequest, limits: RiskLimits, view: RiskView): string | undefined {
  const position = view.position(order.strategyId, order.symbol);
  const reducing = isReducing(order, position) || order.reduceOnly === true;
  if (view.state === "HALTED") return "trading is HALTED";
  if (view.state === "REDUCING" && !reducing) return "trading is REDUCING: only orders that reduce a position";
  for (const [name, value] of [["limit", order.limitPrice], ["stop", order.stopPrice], ["qty", order.qty]] as const) {
    if (value !== undefined && !Number.isFinite(value)) return `${name} is not a finite number (${value})`;
  }
  if (reducing) return undefined; // risk-reducing orders pass the exposure limits
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
