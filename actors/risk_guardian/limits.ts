/**
 * Limits as data: the per-strategy limits, the quarantine policy, and the valid range of every limit (the account's
 * `RiskLimits` from checks.ts and each strategy's `StrategyLimits`). The live config file and a change of limits at
 * run time validate through the same rules, so both refuse the same values with the same words.
 */
import type { RiskLimits } from "./checks.ts";
import { numberProblem, type NumberRule, unknownKey } from "../runtime/validate.ts";

/**
 * Limits on one strategy, beside the account's: the first five mean what the `RiskLimits` fields of the same name
 * mean, counted over this strategy's orders and positions only. Every field is optional; absent = no limit.
 */
export interface StrategyLimits {
  /** Largest absolute position of this strategy per symbol, in units. */
  readonly maxPositionQty?: number;
  /** Largest notional of one order, in quote currency. */
  readonly maxOrderNotional?: number;
  /** Largest gross exposure across this strategy's symbols, in quote currency (|qty| × last price). */
  readonly maxGrossExposure?: number;
  /** Most open orders at once. */
  readonly maxOpenOrders?: number;
  /** Most orders accepted in the last 60 s. */
  readonly maxOrdersPerMinute?: number;
  /** Loss from the strategy's capital, in quote currency, that stops this strategy (the others go on). */
  readonly maxLoss?: number;
  /** Drawdown from this strategy's peak equity, as a fraction (0.2 = 20 %), that stops this strategy. */
  readonly maxDrawdown?: number;
}

/** What happens to the position of a strategy that is quarantined or stopped: closed at market, or left open. */
export type QuarantinePolicy = "flatten" | "keep";
export const QUARANTINE_POLICIES: readonly QuarantinePolicy[] = ["flatten", "keep"];
export const DEFAULT_QUARANTINE_POLICY: QuarantinePolicy = "flatten";

const units: NumberRule = { min: 0, hint: "units of the symbol" };
const quote: NumberRule = { min: 0, hint: "quote currency" };
const count: NumberRule = { min: 0, integer: true, hint: "a count of orders" };
// A loss or drawdown limit of 0 would fire on the first equity update; "no limit" is the field left out.
const loss: NumberRule = { above: 0, hint: "quote currency; leave it out for no limit" };
const drawdown: NumberRule = { above: 0, max: 1, hint: "a fraction of the peak equity: 0.2 is 20 %" };

/** The valid range of each account limit; a new field in RiskLimits breaks the build here until it has a rule. */
export const RISK_LIMIT_RULES: { readonly [K in keyof Required<RiskLimits>]: NumberRule } = {
  maxPositionQty: units,
  maxGrossExposure: quote,
  maxOrderNotional: quote,
  maxOpenOrders: count,
  maxOrdersPerMinute: count,
  priceBand: { above: 0, max: 1, hint: "a fraction of the last price: 0.1 is ±10 %" },
  dailyLossLimit: loss,
  maxDrawdown: drawdown,
  minNotional: quote,
};

export const STRATEGY_LIMIT_RULES: { readonly [K in keyof Required<StrategyLimits>]: NumberRule } = {
  maxPositionQty: units,
  maxOrderNotional: quote,
  maxGrossExposure: quote,
  maxOpenOrders: count,
  maxOrdersPerMinute: count,
  maxLoss: loss,
  maxDrawdown: drawdown,
};

/** A bad or unknown key of a limits object, relative to it (`maxLoss`). */
export interface LimitProblem {
  readonly key: string;
  readonly why: string;
}

/** Every problem in a limits object (all of them, not the first): values out of range and unknown keys. */
export function limitProblems(
  raw: Readonly<Record<string, unknown>>,
  rules: Readonly<Record<string, NumberRule>>,
): LimitProblem[] {
  const problems: LimitProblem[] = [];
  const known = Object.keys(rules);
  for (const [key, value] of Object.entries(raw)) {
    if (!Object.hasOwn(rules, key)) {
      problems.push({ key, why: unknownKey(key, known) });
      continue;
    }
    if (value === undefined) continue;
    const why = numberProblem(value, rules[key]);
    if (why !== undefined) problems.push({ key, why });
  }
  return problems;
}
