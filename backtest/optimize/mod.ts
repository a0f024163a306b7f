/**
 * Parameter optimisation: grid and seeded random search on a Worker pool, ranking by any report statistic,
 * heatmaps, and walk-forward analysis.
 *
 * ```ts
 * const result = await optimize({
 *   setup: { module: resolveStrategy("sma_cross").module, data: [{ path: "GOOG.csv" }], cash: 10_000 },
 *   params: ["fast=5..50:5", "slow=20..200:10"],
 * });
 * console.log(formatResults(result));
 * ```
 *
 * @module
 */
export { optimize, type OptimizeResult, type OptimizeSpec, plan, type Progress } from "./optimize.ts";
export { createPool, defaultWorkers, type Pool, type PoolOptions, type PoolStats } from "./pool.ts";
export { openData, shareData, type SharedData } from "./shared.ts";
export { chunkSize, workersWorth } from "./schedule.ts";
export { OptimizeError } from "./errors.ts";
export { parseParamRange, splitParamArg } from "./ranges.ts";
export { buildSpace, type SearchSpace } from "./space.ts";
export {
  DEFAULT_OBJECTIVE,
  type FailedRun,
  type Objective,
  parseObjective,
  rank,
  type ResultRow,
  runSearch,
} from "./search.ts";
export {
  defaultWalkForward,
  type FoldResult,
  segmentInput,
  walkForward,
  walkForwardFolds,
  type WalkForwardOptions,
  type WalkForwardResult,
} from "./walk_forward.ts";
export { heatmapGrid, renderHeatmap } from "./heatmap.ts";
export {
  failedCsv,
  formatResults,
  formatWalkForward,
  resultsCsv,
  resultsJson,
  writeOptimizeOutputs,
} from "./output.ts";
export type { DataSpec, Job, JobResult, ParamRange, ParamValues, RunSetup, TimeWindow } from "./types.ts";
