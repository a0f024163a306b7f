/** Plain data shared by the optimiser, its worker pool and the walk-forward: everything here crosses a Worker. */
import type { Timeframe } from "../../actors/protocol/mod.ts";
import type { SimConfig } from "../../actors/exchange/sim/matching.ts";
import type { ClosedTrade, Report } from "../report/mod.ts";
import type { RiskLimits } from "../../actors/risk_guardian/checks.ts";
import type { QuarantinePolicy, StrategyLimits } from "../../actors/risk_guardian/limits.ts";

/** A bar file to load: each worker loads it once. */
export interface DataSpec {
  readonly path: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
}

/** What every run of one optimisation shares. */
export interface RunSetup {
  /** Module URL of the strategy (see strategies/registry.ts) and its export. */
  readonly module: string;
  readonly export?: string;
  readonly data: readonly DataSpec[];
  readonly cash: number;
  readonly sim?: Partial<Omit<SimConfig, "initialCash">>;
  readonly seed?: number;
  /** As runBacktest's: close open trades at the end, the account's limits, the strategy's own limits. */
  readonly closeAtEnd?: boolean;
  readonly risk?: RiskLimits;
  readonly limits?: StrategyLimits;
  readonly quarantinePolicy?: QuarantinePolicy;
}

export type ParamValues = Readonly<Record<string, number | string | boolean>>;

/** Bars with `from ≤ ts < to` (epoch ms); bars from `warmupFrom` are run first to warm indicators up. */
export interface TimeWindow {
  readonly from: number;
  readonly to: number;
  readonly warmupFrom?: number;
}

export interface Job {
  readonly id: number;
  readonly params: ParamValues;
  readonly window?: TimeWindow;
  /** Send back the equity curve and trades (walk-forward stitching needs them). */
  readonly detail?: boolean;
}

export interface RunDetail {
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  readonly close: Float64Array;
  readonly trades: readonly ClosedTrade[];
  /** Index of the first bar at or after `window.from` (the bars before it were warm-up). */
  readonly start: number;
}

export interface JobResult {
  readonly id: number;
  readonly report: Report;
  readonly detail?: RunDetail;
}

/** A job whose backtest threw (e.g. a strategy error at some parameters): recorded, and the search goes on. */
export interface JobFailure {
  readonly id: number;
  readonly error: string;
}

export type JobOutcome = JobResult | JobFailure;

export function isFailure(outcome: JobOutcome): outcome is JobFailure {
  return "error" in outcome;
}

/** One `--param` after expansion: a list of values, or (random search only) a continuous interval. */
export type ParamRange =
  | { readonly name: string; readonly kind: "values"; readonly values: readonly (number | string | boolean)[] }
  | { readonly name: string; readonly kind: "uniform"; readonly lo: number; readonly hi: number };
