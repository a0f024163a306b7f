/**
 * What a search varies: one strategy's parameter schema, or a portfolio's, where every strategy's parameters are
 * named `ID.NAME` in one flat schema. The portfolio schema's defaults are each strategy's configured values (so a
 * parameter not searched keeps the config's), its constraint is every strategy's on its own slice, and its warm-up
 * the longest one. The search space, the ranges and the heatmaps then work on it as on one strategy.
 */
import { coerceParam, type ParamSchema, type ParamSpec, validateParams } from "../../strategies/params.ts";
import type { AnyStrategy } from "../../strategies/api.ts";
import { OptimizeError } from "./errors.ts";
import { loadDefinition } from "./search.ts";
import type { ParamValues, RunSetup, StrategySetup } from "./types.ts";

export interface SearchTarget {
  readonly name: string;
  readonly params: ParamSchema;
  readonly constraint?: (params: ParamValues) => string | undefined;
  readonly warmupBars?: (params: ParamValues) => number;
  /** The strategies' ids (a portfolio), in order; empty for one strategy. */
  readonly ids: readonly string[];
}

/** `s1.fast` → ["s1", "fast"] (ids may hold dots; names do not). */
export function splitQualified(name: string): [string, string] | undefined {
  const dot = name.lastIndexOf(".");
  return dot > 0 && dot < name.length - 1 ? [name.slice(0, dot), name.slice(dot + 1)] : undefined;
}

/** A portfolio's flat parameters → each strategy's own. */
export function strategyParams(params: ParamValues, id: string): Record<string, number | string | boolean> {
  const out: Record<string, number | string | boolean> = {};
  const prefix = id + ".";
  for (const [name, value] of Object.entries(params)) {
    if (name.startsWith(prefix) && !name.slice(prefix.length).includes(".")) out[name.slice(prefix.length)] = value;
  }
  return out;
}

export async function loadTarget(setup: RunSetup): Promise<SearchTarget> {
  if (setup.strategies && setup.module) throw new OptimizeError("give a strategy module or a portfolio, not both");
  if (setup.strategies) return await portfolioTarget(setup.strategies);
  if (!setup.module) throw new OptimizeError("no strategy to optimise");
  const def = await loadDefinition(setup.module, setup.export);
  return {
    name: def.name,
    params: def.params,
    ...(def.constraint ? { constraint: def.constraint as SearchTarget["constraint"] } : {}),
    ...(def.warmupBars ? { warmupBars: def.warmupBars as SearchTarget["warmupBars"] } : {}),
    ids: [],
  };
}

async function portfolioTarget(strategies: readonly StrategySetup[]): Promise<SearchTarget> {
  if (strategies.length === 0) throw new OptimizeError("the portfolio has no strategy");
  const defs: [StrategySetup, AnyStrategy][] = [];
  const schema: Record<string, ParamSpec> = {};
  for (const s of strategies) {
    if (defs.some(([d]) => d.id === s.id)) throw new OptimizeError(`strategy id "${s.id}" is given twice`);
    const def = await loadDefinition(s.module, s.export);
    // The configured values, checked against the strategy's schema (the error names the strategy's id).
    const base = validateParams(s.id, def.params, s.params ?? {});
    for (const [name, spec] of Object.entries(def.params as ParamSchema)) {
      schema[`${s.id}.${name}`] = { ...spec, default: coerceParam(spec, base[name]) } as ParamSpec;
    }
    defs.push([s, def]);
  }
  const own = (params: ParamValues, s: StrategySetup, def: AnyStrategy) =>
    validateParams(s.id, def.params, strategyParams(params, s.id));
  return {
    name: strategies.map((s) => s.id).join("+"),
    params: schema,
    constraint: (params) => {
      for (const [s, def] of defs) {
        const problem = def.constraint?.(own(params, s, def));
        if (problem) return `${s.id}: ${problem}`;
      }
      return undefined;
    },
    warmupBars: (params) => Math.max(0, ...defs.map(([s, def]) => def.warmupBars?.(own(params, s, def)) ?? 0)),
    ids: strategies.map((s) => s.id),
  };
}
