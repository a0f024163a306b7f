/**
 * One search: validate the space, run every candidate on the pool, rank by the objective. The objective is any
 * numeric report key (default `sharpeRatio`), maximised unless `minimize`. NaN objectives rank last; ties keep
 * run order, so the ranking is deterministic.
 */
import { type Report, REPORT_FIELDS } from "../report/mod.ts";
import type { AnyStrategy } from "../../strategies/api.ts";
import { OptimizeError } from "./errors.ts";
import type { Pool } from "./pool.ts";
import { isFailure, type ParamValues, type TimeWindow } from "./types.ts";

export interface Objective {
  readonly key: keyof Report;
  readonly minimize: boolean;
}

export interface ResultRow {
  /** Position in run order (the grid order, or the draw order of a random search). */
  readonly index: number;
  readonly params: ParamValues;
  readonly objective: number;
  readonly report: Report;
}

/** A combination whose backtest threw: its parameters and the error, so the search can go on and report it. */
export interface FailedRun {
  readonly index: number;
  readonly params: ParamValues;
  readonly error: string;
}

export interface SearchResult {
  /** The combinations that ran, ranked best first. */
  readonly rows: ResultRow[];
  /** The ones that failed, in run order. */
  readonly failed: FailedRun[];
}

export const DEFAULT_OBJECTIVE = "sharpeRatio";

/** Checks an objective name against the report's keys (the error lists them). */
export function parseObjective(key: string | undefined, minimize = false): Objective {
  const name = key ?? DEFAULT_OBJECTIVE;
  const field = REPORT_FIELDS.find((f) => f.key === name);
  if (!field) {
    throw new OptimizeError(
      `unknown objective "${name}": use a report statistic key (${REPORT_FIELDS.map((f) => f.key).join(", ")})`,
    );
  }
  return { key: field.key, minimize };
}

/** Best first; NaN last; ties by run order. */
export function rank(rows: readonly ResultRow[], objective: Objective): ResultRow[] {
  const sign = objective.minimize ? 1 : -1;
  return [...rows].sort((a, b) => {
    const an = Number.isNaN(a.objective), bn = Number.isNaN(b.objective);
    if (an || bn) return an === bn ? a.index - b.index : an ? 1 : -1;
    return a.objective === b.objective ? a.index - b.index : sign * (a.objective - b.objective);
  });
}

export async function runSearch(
  pool: Pool,
  combos: readonly ParamValues[],
  objective: Objective,
  options: { window?: TimeWindow; onDone?: (done: number, total: number) => void } = {},
): Promise<SearchResult> {
  const jobs = combos.map((params, id) => ({ id, params, ...(options.window ? { window: options.window } : {}) }));
  const results = await pool.run(jobs, options.onDone);
  const rows: ResultRow[] = [];
  const failed: FailedRun[] = [];
  results.forEach((r, index) => {
    if (isFailure(r)) failed.push({ index, params: combos[index], error: r.error });
    else rows.push({ index, params: combos[index], objective: r.report[objective.key], report: r.report });
  });
  return { rows: rank(rows, objective), failed };
}

/** Imports a strategy module and returns its definition (to validate parameters before any run). */
export async function loadDefinition(module: string, exportName = "default"): Promise<AnyStrategy> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(module);
  } catch (err) {
    throw new OptimizeError(`cannot load strategy ${module}: ${(err as Error).message}`);
  }
  const def = mod[exportName] as AnyStrategy | undefined;
  if (!def || typeof def.init !== "function" || typeof def.params !== "object") {
    throw new OptimizeError(`${module} has no strategy export "${exportName}" (use defineStrategy)`);
  }
  return def;
}
