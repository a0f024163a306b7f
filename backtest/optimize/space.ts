/**
 * The candidates of a search: the full grid, or a seeded random sample of it. Combinations that break the
 * strategy's own constraint (e.g. fast < slow) are skipped and counted, never run.
 */
import { seededRandom } from "../../actors/runtime/random.ts";
import { type Params, type ParamSchema, validateParams } from "../../strategies/params.ts";
import { MAX_GRID } from "./ranges.ts";
import { OptimizeError } from "./errors.ts";
import type { ParamRange, ParamValues } from "./types.ts";

export interface SearchSpace {
  /** Full parameter sets (fixed values and defaults filled in), in run order. */
  readonly combos: readonly ParamValues[];
  /** Combinations refused by the constraint. */
  readonly skipped: number;
  /** One constraint message, to show why. */
  readonly skipReason?: string;
  /** Size of the grid searched or sampled (Infinity with a continuous range). */
  readonly gridSize: number;
}

export interface SpaceOptions {
  readonly method: "grid" | "random";
  /** Random search: how many valid combinations to draw. */
  readonly samples?: number;
  readonly seed?: number;
  /** Values for parameters that are not searched. */
  readonly fixed?: Readonly<Record<string, unknown>>;
}

export function gridSize(ranges: readonly ParamRange[]): number {
  return ranges.reduce((n, r) => n * (r.kind === "values" ? r.values.length : Infinity), 1);
}

/** A strategy definition, or a portfolio's flat schema (target.ts). */
export interface Searchable {
  readonly name: string;
  readonly params: ParamSchema;
  // deno-lint-ignore no-explicit-any
  readonly constraint?: (params: any) => string | undefined;
}

export function buildSpace(def: Searchable, ranges: readonly ParamRange[], options: SpaceOptions): SearchSpace {
  const names = ranges.map((r) => r.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new OptimizeError(`parameter "${dup}" is given twice`);
  const fixed = options.fixed ?? {};
  for (const n of names) if (n in fixed) throw new OptimizeError(`parameter "${n}" is both fixed and searched`);
  // Fixed values are checked up front too (throws ParamError naming the parameter).
  validateParams(def.name, def.params as ParamSchema, fixed);
  const size = gridSize(ranges);
  const combos: ParamValues[] = [];
  let skipped = 0;
  let skipReason: string | undefined;
  const accept = (values: readonly (number | string | boolean)[]) => {
    const raw: Record<string, unknown> = { ...fixed };
    names.forEach((n, i) => raw[n] = values[i]);
    const params = validateParams(def.name, def.params as ParamSchema, raw) as Params<ParamSchema>;
    const problem = def.constraint?.(params);
    if (problem) {
      skipped++;
      skipReason ??= problem;
      return false;
    }
    combos.push(params as ParamValues);
    return true;
  };

  const samples = options.samples ?? 100;
  if (options.method === "grid" || size <= samples) {
    if (size === Infinity) throw new OptimizeError("grid search needs a step for every number range (a..b:step)");
    if (size > MAX_GRID) throw new OptimizeError(`the grid has ${size} combinations (max ${MAX_GRID}): use random`);
    for (let k = 0; k < size; k++) accept(decode(ranges, k));
  } else {
    if (!(Number.isInteger(samples) && samples > 0)) throw new OptimizeError(`samples must be ≥ 1, got ${samples}`);
    const rng = seededRandom(options.seed ?? 0);
    const seen = new Set<string>();
    // Bounded: a space where the constraint refuses nearly everything must still end.
    for (let draws = 0; combos.length < samples && draws < samples * 50; draws++) {
      const values = ranges.map((r) =>
        r.kind === "values" ? r.values[Math.floor(rng() * r.values.length)] : r.lo + (r.hi - r.lo) * rng()
      );
      const key = JSON.stringify(values);
      if (seen.has(key)) continue;
      seen.add(key);
      accept(values);
    }
  }
  if (combos.length === 0) {
    throw new OptimizeError(`no combination satisfies the strategy's constraint (${skipped} skipped: ${skipReason})`);
  }
  return { combos, skipped, gridSize: size, ...(skipReason ? { skipReason } : {}) };
}

/** Mixed-radix decoding of grid index k; the last parameter varies fastest. */
function decode(ranges: readonly ParamRange[], k: number): (number | string | boolean)[] {
  const out = new Array<number | string | boolean>(ranges.length);
  for (let i = ranges.length - 1; i >= 0; i--) {
    const r = ranges[i] as Extract<ParamRange, { kind: "values" }>;
    out[i] = r.values[k % r.values.length];
    k = Math.floor(k / r.values.length);
  }
  return out;
}
