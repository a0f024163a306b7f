/**
 * Limits changed while the daemon runs: validated as a whole before anything changes, then merged into the
 * limits in force (a number sets a limit, null removes it). The guardian journals the result, and a restarted
 * daemon re-applies the last change it finds there.
 */
import type { RiskLimits, StrategyLimits } from "./checks.ts";

/** Whose limits: the account's, or one strategy's. */
export type LimitScope = { readonly kind: "account" } | { readonly kind: "strategy"; readonly strategyId: string };

export type LimitPatch = Readonly<Record<string, number | null>>;

const ORDER_KEYS = ["maxPositionQty", "maxGrossExposure", "maxOrderNotional", "maxOpenOrders", "maxOrdersPerMinute"];
const ACCOUNT_KEYS = [...ORDER_KEYS, "priceBand", "dailyLossLimit", "maxDrawdown", "minNotional"];
const STRATEGY_KEYS = [...ORDER_KEYS, "maxLoss", "maxDrawdown"];
/** Fractions: a drawdown of 1 is everything, and a band of ±100 % is no band. */
const FRACTIONS = new Set(["maxDrawdown", "priceBand"]);

/** Every problem with a patch, each naming its field (empty: valid). */
export function validatePatch(scope: LimitScope, patch: unknown): string[] {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) return ["limits: must be an object"];
  const keys = scope.kind === "account" ? ACCOUNT_KEYS : STRATEGY_KEYS;
  const errors: string[] = [];
  for (const [key, value] of Object.entries(patch)) {
    if (!keys.includes(key)) {
      errors.push(
        `limits.${key}: unknown limit for ${scope.kind === "account" ? "the account" : "a strategy"} (known: ${
          keys.join(", ")
        })`,
      );
    } else if (value !== null && (typeof value !== "number" || !Number.isFinite(value) || value < 0)) {
      errors.push(`limits.${key}: must be a non-negative number or null (to remove it), got ${JSON.stringify(value)}`);
    } else if (value !== null && FRACTIONS.has(key) && !(value > 0 && value <= 1)) {
      errors.push(`limits.${key}: must be a fraction in (0, 1], got ${value}`);
    }
  }
  if (scope.kind === "strategy" && !/^[A-Za-z0-9_.:-]+$/.test(scope.strategyId)) {
    errors.push(`strategyId: must match [A-Za-z0-9_.:-]+, got ${JSON.stringify(scope.strategyId)}`);
  }
  return errors;
}

/** The limits after a (valid) patch. */
export function applyPatch<L extends RiskLimits | StrategyLimits>(limits: L, patch: LimitPatch): L {
  const next: Record<string, number> = { ...limits } as Record<string, number>;
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete next[key];
    else next[key] = value;
  }
  return next as unknown as L;
}
