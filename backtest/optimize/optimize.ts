/**
 * The optimiser's front door: parameters and options are validated completely (ranges against the strategy's
 * schema, fixed values, the objective, the constraint) before a single backtest runs; then the candidates run on
 * a Worker pool and are ranked, or go through walk-forward analysis.
 */
import { createPool, defaultWorkers, type PoolOptions, type PoolStats } from "./pool.ts";
import { parseParamRange } from "./ranges.ts";
import { buildSpace, type SearchSpace } from "./space.ts";
import { type FailedRun, type Objective, parseObjective, type ResultRow, runSearch } from "./search.ts";
import { loadRunData, type RunData } from "./runner.ts";
import { loadTarget, type SearchTarget } from "./target.ts";
import { defaultWalkForward, walkForward, type WalkForwardOptions, type WalkForwardResult } from "./walk_forward.ts";
import type { ParamRange, RunSetup } from "./types.ts";

export interface Progress {
  readonly phase: string;
  readonly done: number;
  readonly total: number;
}

export interface OptimizeSpec {
  readonly setup: RunSetup;
  /** The data already loaded (the CLI loads it as `backtest` does); default: `setup.data` and `setup.ticks`. */
  readonly data?: RunData;
  /**
   * Values of parameters that are not searched (a config's `params` for one strategy); `params` wins. A portfolio's
   * come from `setup.strategies[].params`.
   */
  readonly fixed?: Readonly<Record<string, unknown>>;
  /** `--param` strings: `fast=5..50:5`, `average=sma,ema`, `mode=long_only`; `ID.NAME=…` in a portfolio. */
  readonly params: readonly string[];
  readonly method?: "grid" | "random";
  readonly samples?: number;
  readonly seed?: number;
  /** A report key (default sharpeRatio), the account's; `ID.KEY` for one strategy of a portfolio. */
  readonly objective?: string;
  readonly minimize?: boolean;
  /** The most Workers (default: one per core; 0 = this thread); fewer start when they are not worth it. */
  readonly workers?: number;
  /** Pool tuning (tests: a fixed chunk size). */
  readonly pool?: PoolOptions;
  /** Walk-forward instead of one search over all the data; `{}` picks default windows. */
  readonly walkForward?: Partial<WalkForwardOptions>;
  readonly onProgress?: (progress: Progress) => void;
}

export interface OptimizeResult {
  readonly strategy: string;
  readonly objective: Objective;
  readonly method: "grid" | "random";
  readonly seed: number;
  readonly ranges: readonly ParamRange[];
  /** Candidates that ran; `space.skipped` were refused by the constraint. */
  readonly space: SearchSpace;
  /** Ranked, best first (empty in walk-forward mode). */
  readonly rows: readonly ResultRow[];
  /** Combinations whose backtest threw, with the error (in walk-forward mode: of every fold's search). */
  readonly failed: readonly FailedRun[];
  readonly walkForward?: WalkForwardResult & { readonly options: WalkForwardOptions };
  /** The most Workers asked for, and how many were worth starting. */
  readonly workers: number;
  readonly workersStarted: number;
  /** What the pool measured: the Workers' start-up and busy time (benchmarks). */
  readonly pool: PoolStats;
  readonly elapsedMs: number;
}

export interface Plan {
  readonly def: SearchTarget;
  readonly ranges: readonly ParamRange[];
  readonly objective: Objective;
  readonly space: SearchSpace;
}

/** Everything that can be wrong with a request, found without running anything. */
export async function plan(spec: OptimizeSpec): Promise<Plan> {
  const def = await loadTarget(spec.setup);
  const objective = parseObjective(spec.objective, spec.minimize, def.ids);
  const all = spec.params.map((p) => parseParamRange(def.name, def.params, p));
  // A single value is a fixed parameter, not a search dimension (keeps heatmaps and tables to what varies).
  const ranges = all.filter((r) => r.kind === "uniform" || r.values.length > 1);
  const fixed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(spec.fixed ?? {})) {
    if (!ranges.some((r) => r.name === name)) fixed[name] = value;
  }
  for (const r of all) if (r.kind === "values" && r.values.length === 1) fixed[r.name] = r.values[0];
  const space = buildSpace(def, ranges, {
    method: spec.method ?? "grid",
    fixed,
    ...(spec.samples !== undefined ? { samples: spec.samples } : {}),
    ...(spec.seed !== undefined ? { seed: spec.seed } : {}),
  });
  return { def, ranges, objective, space };
}

export async function optimize(spec: OptimizeSpec): Promise<OptimizeResult> {
  const started = performance.now();
  const { def, ranges, objective, space } = await plan(spec);
  // The first Worker starts while the data loads (createPool): its start-up is not added to the parsing.
  const loading = spec.data ? Promise.resolve(spec.data) : loadRunData(spec.setup);
  loading.catch(() => {}); // its error is createPool's (or, for bad options, moot): not an unhandled rejection
  const workers = spec.workers ?? defaultWorkers();
  const pool = await createPool(spec.setup, loading, workers, spec.pool);
  const data = await loading;
  const primary = spec.walkForward ? data.bars[0] : undefined;
  const wfOptions = primary && spec.walkForward
    ? { ...defaultWalkForward(primary.length, 4, spec.walkForward.anchored ?? false), ...spec.walkForward }
    : undefined;
  const progress = spec.onProgress;
  try {
    let rows: ResultRow[] = [];
    let failed: FailedRun[] = [];
    let wf: OptimizeResult["walkForward"];
    if (primary && wfOptions) {
      let phase = "";
      const result = await walkForward(pool, def, primary, space.combos, objective, {
        ...wfOptions,
        cash: spec.setup.cash,
        onFold: (k, n) => phase = `walk-forward fold ${k + 1}/${n}`,
        ...(progress ? { onDone: (done: number, total: number) => progress({ phase, done, total }) } : {}),
      });
      wf = { ...result, options: wfOptions };
      failed = result.failed;
    } else {
      ({ rows, failed } = await runSearch(pool, space.combos, objective, {
        ...(progress ? { onDone: (done: number, total: number) => progress({ phase: "search", done, total }) } : {}),
      }));
    }
    return {
      strategy: def.name,
      objective,
      method: spec.method ?? "grid",
      seed: spec.seed ?? 0,
      ranges,
      space,
      rows,
      failed,
      ...(wf ? { walkForward: wf } : {}),
      workers,
      workersStarted: pool.stats().started,
      pool: pool.stats(),
      elapsedMs: performance.now() - started,
    };
  } finally {
    pool.close();
  }
}
