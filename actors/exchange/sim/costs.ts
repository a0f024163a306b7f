/** Pluggable cost models of the simulated venue: commission, slippage and market impact. Plain data configs. */
import type { Bar } from "../../protocol/mod.ts";

export type CommissionModel =
  | { readonly kind: "none" }
  /** A fraction of notional, e.g. 0.001 = 10 bps. */
  | { readonly kind: "percent"; readonly rate: number }
  | { readonly kind: "fixed"; readonly perOrder: number }
  | { readonly kind: "per_unit"; readonly perUnit: number; readonly minimum?: number }
  | { readonly kind: "maker_taker"; readonly maker: number; readonly taker: number };

export type SlippageModel =
  | { readonly kind: "none" }
  | { readonly kind: "fixed_bps"; readonly bps: number }
  /** Pays half the quoted spread (a fraction of price) on every fill. */
  | { readonly kind: "spread"; readonly spread: number }
  /** A fraction `k` of the bar's range, relative to its open. */
  | { readonly kind: "volatility"; readonly k: number };

export type ImpactModel =
  | { readonly kind: "none" }
  /** price × coefficient × √(qty / bar volume): the square-root law. */
  | { readonly kind: "sqrt"; readonly coefficient: number };

export interface CostModels {
  readonly commission: CommissionModel;
  readonly slippage: SlippageModel;
  readonly impact: ImpactModel;
}

export const NO_COSTS: CostModels = {
  commission: { kind: "none" },
  slippage: { kind: "none" },
  impact: { kind: "none" },
};

export function commissionFor(model: CommissionModel, qty: number, price: number, maker: boolean): number {
  const notional = Math.abs(qty) * price;
  switch (model.kind) {
    case "none":
      return 0;
    case "percent":
      return notional * model.rate;
    case "fixed":
      return model.perOrder;
    case "per_unit":
      return Math.max(model.minimum ?? 0, Math.abs(qty) * model.perUnit);
    case "maker_taker":
      return notional * (maker ? model.maker : model.taker);
  }
}

/** Per-unit cost fraction used when sizing "all available cash" orders (backtesting.py's adjusted price). */
export function commissionRateForSizing(model: CommissionModel): number {
  switch (model.kind) {
    case "percent":
      return model.rate;
    case "maker_taker":
      return model.taker;
    default:
      return 0;
  }
}

/** The price actually paid: worse than `price` by slippage and impact, in the direction of the trade. */
export function executionPrice(
  costs: CostModels,
  side: 1 | -1,
  price: number,
  qty: number,
  bar: Bar | undefined,
): number {
  let adverse = 0;
  const s = costs.slippage;
  switch (s.kind) {
    case "none":
      break;
    case "fixed_bps":
      adverse += price * s.bps / 10_000;
      break;
    case "spread":
      adverse += price * s.spread / 2;
      break;
    case "volatility":
      if (bar && bar.open > 0) adverse += price * s.k * (bar.high - bar.low) / bar.open;
      break;
  }
  const m = costs.impact;
  if (m.kind === "sqrt" && bar && bar.volume > 0) {
    adverse += price * m.coefficient * Math.sqrt(Math.abs(qty) / bar.volume);
  }
  return price + side * adverse;
}
