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

/** A report statistic of the account (`sharpeRatio`) or of one strategy of a portfolio (`s1.sharpeRatio`). */
export interface Objective {
  /** As given: `sharpeRatio` or `ID.sharpeRatio`. */
  readonly key: string;
  readonly stat: keyof Report;
  /** The strategy whose statistic it is; absent: the account's. */
  readonly strategy?: string;
  readonly minimize: boolean;
}

export interface ResultRow {
  /** Position in run order (the grid order, or the draw order of a random search). */
  readonly index: number;
  readonly params: ParamValues;
  readonly objective: number;
  readonly report: Report;
  /** A portfolio's per-strategy statistics. */
  readonly strategies?: Readonly<Record<string, Report>>;
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

/**
 * Checks an objective name against the report's keys (the error lists them); `ID.KEY` names one of the portfolio's
 * strategies (`ids`).
 */
export function parseObjective(key: string | undefined, minimize = false, ids: readonly string[] = []): Objective {
  const name = key ?? DEFAULT_OBJECTIVE;
  const field = REPORT_FIELDS.find((f) => f.key === name);
  if (field) return { key: name, stat: field.key, minimize };
  const dot = name.lastIndexOf(".");
  const [id, stat] = dot > 0 ? [name.slice(0, dot), name.slice(dot + 1)] : ["", name];
  const own = REPORT_FIELDS.find((f) => f.key === stat);
  if (id !== "" && own && ids.includes(id)) return { key: name, stat: own.key, strategy: id, minimize };
  const each = ids.length > 0 ? `, or ID.KEY for one strategy (ids: ${ids.join(", ")})` : "";
  const why = id !== "" && own
    ? ids.length > 0 ? `"${id}" is not a strategy of the portfolio` : "only a portfolio has per-strategy statistics"
    : "not a report statistic";
  throw new OptimizeError(
    `unknown objective "${name}" (${why}): use a report statistic key ` +
      `(${REPORT_FIELDS.map((f) => f.key).join(", ")})${each}`,
  );
}

/** The objective's value in one run's result (NaN when the strategy's report is missing). */
export function objectiveValue(
  objective: Objective,
  report: Report,
  strategies?: Readonly<Record<string, Report>>,
): number {
  if (objective.strategy === undefined) return report[objective.stat];
  return strategies?.[objective.strategy]?.[objective.stat] ?? NaN;
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
    else {
      rows.push({
        index,
        params: combos[index],
        objective: objectiveValue(objective, r.report, r.strategies),
        report: r.report,
        ...(r.strategies ? { strategies: r.strategies } : {}),
      });
    }
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
