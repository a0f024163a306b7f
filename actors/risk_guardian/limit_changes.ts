/**
 * Limits changed while the daemon runs: validated as a whole before anything changes, then merged into the
 * limits in force (a number sets a limit, null removes it). The guardian journals the result, and a restarted
 * daemon re-applies the last change it finds there.
 */
import type { RiskLimits } from "./checks.ts";
import { limitProblems, RISK_LIMIT_RULES, STRATEGY_LIMIT_RULES, type StrategyLimits } from "./limits.ts";

/** Whose limits: the account's, or one strategy's. */
export type LimitScope = { readonly kind: "account" } | { readonly kind: "strategy"; readonly strategyId: string };

export type LimitPatch = Readonly<Record<string, number | null>>;

/** Every problem with a patch, each naming its field (empty: valid). The config file's rules and words. */
export function validatePatch(scope: LimitScope, patch: unknown): string[] {
  if (!patch || typeof patch !== "object" || Array.isArray(patch)) return ["limits: must be an object"];
  const errors: string[] = [];
  if (scope?.kind !== "account" && scope?.kind !== "strategy") {
    errors.push(`scope: must be { "kind": "account" } or { "kind": "strategy", "strategyId": … }`);
    return errors;
  }
  if (scope.kind === "strategy" && !/^[A-Za-z0-9_.:-]+$/.test(String(scope.strategyId))) {
    errors.push(`scope.strategyId: must match [A-Za-z0-9_.:-]+, got ${JSON.stringify(scope.strategyId)}`);
  }
  // null removes a limit; every number meets the same rule as in the config file.
  const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== null));
  const rules = scope.kind === "account" ? RISK_LIMIT_RULES : STRATEGY_LIMIT_RULES;
  for (const p of limitProblems(set, rules)) errors.push(`limits.${p.key}: ${p.why}`);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null && !Object.hasOwn(rules, key)) errors.push(`limits.${key}: not a limit`);
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
