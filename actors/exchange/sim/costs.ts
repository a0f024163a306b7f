/** Pluggable cost models of the simulated venue: commission, slippage and market impact. Plain data configs. */
import type { Bar } from "../../protocol/mod.ts";

export type CommissionModel =
  | { readonly kind: "none" }
  /** A fraction of notional, e.g. 0.001 = 10 bps. */
  | { readonly kind: "percent"; readonly rate: number }
  | { readonly kind: "fixed"; readonly perOrder: number }
  | { readonly kind: "per_unit"; readonly perUnit: number; readonly minimum?: number }
  | { readonly kind: "maker_taker"; readonly maker: number; readonly taker: number }
  /** Several schedules at once, e.g. a fixed fee per fill plus a percentage: each fill pays the sum. */
  | { readonly kind: "sum"; readonly parts: readonly CommissionModel[] };

export type SlippageModel =
  | { readonly kind: "none" }
  | { readonly kind: "fixed_bps"; readonly bps: number }
  /**
   * A quoted spread (a fraction of price). "both" (default): half of it on every fill, entries and exits alike;
   * "entry": the whole spread on the units that open exposure and none on closes (backtesting.py's convention).
   */
  | { readonly kind: "spread"; readonly spread: number; readonly mode?: SpreadMode }
  /** A fraction `k` of the bar's range, relative to its open. */
  | { readonly kind: "volatility"; readonly k: number };

export type ImpactModel =
  | { readonly kind: "none" }
  /** price × coefficient × √(qty / bar volume): the square-root law. */
  | { readonly kind: "sqrt"; readonly coefficient: number };

export type SpreadMode = "both" | "entry";

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
    case "sum":
      return model.parts.reduce((sum, part) => sum + commissionFor(part, qty, price, maker), 0);
  }
}

/**
 * An upper bound of a fill's commission as `perFill + qty × perUnit + notional × rate`, for sizing and margin
 * checks (a per-unit minimum counts as a per-fill amount; maker/taker counts the taker rate).
 */
export interface SizingCosts {
  readonly rate: number;
  readonly perFill: number;
  readonly perUnit: number;
}

export function sizingCosts(model: CommissionModel): SizingCosts {
  switch (model.kind) {
    case "none":
      return { rate: 0, perFill: 0, perUnit: 0 };
    case "percent":
      return { rate: model.rate, perFill: 0, perUnit: 0 };
    case "fixed":
      return { rate: 0, perFill: model.perOrder, perUnit: 0 };
    case "per_unit":
      return { rate: 0, perFill: model.minimum ?? 0, perUnit: model.perUnit };
    case "maker_taker":
      return { rate: model.taker, perFill: 0, perUnit: 0 };
    case "sum":
      return model.parts.map(sizingCosts).reduce((a, b) => ({
        rate: a.rate + b.rate,
        perFill: a.perFill + b.perFill,
        perUnit: a.perUnit + b.perUnit,
      }), { rate: 0, perFill: 0, perUnit: 0 });
  }
}

/** One commission model from a fixed fee per fill, a fraction of notional and a fee per unit (zeros dropped). */
export function combinedCommission(perFill: number, rate: number, perUnit = 0): CommissionModel {
  const parts: CommissionModel[] = [
    ...(perFill > 0 ? [{ kind: "fixed", perOrder: perFill } as const] : []),
    ...(rate > 0 ? [{ kind: "percent", rate } as const] : []),
    ...(perUnit > 0 ? [{ kind: "per_unit", perUnit } as const] : []),
  ];
  return parts.length === 0 ? { kind: "none" } : parts.length === 1 ? parts[0] : { kind: "sum", parts };
}

/**
 * The price actually paid: worse than `price` by slippage and impact, in the direction of the trade.
 * `openingShare` is the share of `qty` that opens exposure (the rest closes a position): an entry-only spread is
 * charged on that share, so a fill that reverses a position pays it on its opening part only.
 */
export function executionPrice(
  costs: CostModels,
  side: 1 | -1,
  price: number,
  qty: number,
  bar: Bar | undefined,
  openingShare = 1,
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
      adverse += (s.mode ?? "both") === "both" ? price * s.spread / 2 : price * s.spread * openingShare;
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
