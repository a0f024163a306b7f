/** Plain data shared by the optimiser, its worker pool and the walk-forward: everything here crosses a Worker. */
import type { Timeframe } from "../../actors/protocol/mod.ts";
import type { SimConfig } from "../../actors/exchange/sim/matching.ts";
import type { ClosedTrade, Report } from "../report/mod.ts";
import type { RiskLimits } from "../../actors/risk_guardian/checks.ts";
import type { QuarantinePolicy, StrategyLimits } from "../../actors/risk_guardian/limits.ts";
import type { AllocationConfig } from "../../actors/portfolio/allocation.ts";

/** A bar file to load: each worker loads it once. */
export interface DataSpec {
  readonly path: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
}

/** One strategy of a portfolio search: its searched parameters are named `ID.NAME`. */
export interface StrategySetup {
  readonly id: string;
  readonly module: string;
  readonly export?: string;
  /** Values of parameters that are not searched (the config's); a search's `--param ID.NAME` wins. */
  readonly params?: Readonly<Record<string, unknown>>;
  /** Symbols it trades (default: every data symbol). */
  readonly symbols?: readonly string[];
  readonly capital?: number;
  readonly limits?: StrategyLimits;
}

/**
 * What every run of one optimisation shares: one strategy (`module`, parameters named plainly) or a portfolio
 * (`strategies`, parameters named `ID.NAME`), and the backtest's options.
 */
export interface RunSetup {
  /** Module URL of the strategy (see strategies/registry.ts) and its export; or `strategies`. */
  readonly module?: string;
  readonly export?: string;
  /** A portfolio in one account, as `backtest --config` runs it. */
  readonly strategies?: readonly StrategySetup[];
  readonly allocation?: AllocationConfig;
  /** Bar files, loaded once in the main thread and shared with every Worker. */
  readonly data: readonly DataSpec[];
  /** Tick files (the symbols then trade on ticks; their bars are made from them). */
  readonly ticks?: readonly DataSpec[];
  readonly cash: number;
  readonly sim?: Partial<Omit<SimConfig, "initialCash">>;
  readonly seed?: number;
  /** As runBacktest's: close open trades at the end, the account's limits, the (single) strategy's own limits. */
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
  /** A portfolio's: each strategy's own curve and trades (same bars), and its starting capital. */
  readonly strategies?: Readonly<Record<string, RunDetail & { readonly capital: number }>>;
}

export interface JobResult {
  readonly id: number;
  /** The account's statistics. */
  readonly report: Report;
  /** A portfolio's: each strategy's statistics, by id. */
  readonly strategies?: Readonly<Record<string, Report>>;
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
