/**
 * Runs one job: the same code in a pool worker and in-process (workers: 0). The data is loaded once, in the main
 * thread, and shared with the workers (shared.ts).
 */
import { basename } from "node:path";
import { loadBars, nameFromFile } from "../../storage/bars/mod.ts";
import { loadTicks, type TickSeries, ticksToBars } from "../../storage/ticks/mod.ts";
import { type BacktestSpec, runBacktest, type StrategyRun } from "../engine.ts";
import type { BarSeries } from "../../actors/protocol/mod.ts";
import { levelFromEnv, stderrSink } from "../../actors/runtime/mod.ts";
import { strategyParams } from "./target.ts";
import type { DataSpec, Job, JobOutcome, JobResult, ParamValues, RunDetail, RunSetup, TimeWindow } from "./types.ts";

/** Every run's input: bars (those made from ticks included) and the ticks. */
export interface RunData {
  readonly bars: readonly BarSeries[];
  readonly ticks: readonly TickSeries[];
}

export type Runner = (job: Job) => Promise<JobResult>;

/** A job's result, or its error as text: one failed combination does not stop the search. */
export async function runJob(runner: Runner, job: Job): Promise<JobOutcome> {
  try {
    return await runner(job);
  } catch (err) {
    return { id: job.id, error: errorText(err) };
  }
}

export const errorText = (err: unknown) =>
  err instanceof Error ? `${err.name === "Error" ? "" : err.name + ": "}${err.message}` : String(err);

export async function loadSeries(data: readonly DataSpec[]): Promise<BarSeries[]> {
  const out: BarSeries[] = [];
  for (const d of data) {
    const { series } = await loadBars(d.path, {
      ...(d.symbol ? { symbol: d.symbol } : {}),
      ...(d.timeframe ? { timeframe: d.timeframe } : {}),
    });
    out.push(series);
  }
  return out;
}

/** A setup's bar and tick files, loaded as `backtest` loads them (bars from ticks at the bars' timeframe, or 1m). */
export async function loadRunData(setup: RunSetup): Promise<RunData> {
  const bars = await loadSeries(setup.data);
  const ticks: TickSeries[] = [];
  for (const d of setup.ticks ?? []) {
    const t = await loadTicks(d.path, { symbol: d.symbol ?? nameFromFile(basename(d.path)).symbol });
    ticks.push(t);
    bars.push(ticksToBars(t, d.timeframe ?? bars[0]?.timeframe ?? "1m"));
  }
  return { bars, ticks };
}

/** First index with ts ≥ t (binary search; ts ascending). */
export function lowerBound(ts: Float64Array, t: number): number {
  let lo = 0, hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Views (no copy) of the bars with `from ≤ ts < to`. */
export function sliceSeries(s: BarSeries, from: number, to: number): BarSeries {
  const a = lowerBound(s.ts, from);
  const b = lowerBound(s.ts, to);
  return {
    symbol: s.symbol,
    timeframe: s.timeframe,
    length: b - a,
    ts: s.ts.subarray(a, b),
    open: s.open.subarray(a, b),
    high: s.high.subarray(a, b),
    low: s.low.subarray(a, b),
    close: s.close.subarray(a, b),
    volume: s.volume.subarray(a, b),
  };
}

/** Views (no copy) of the ticks with `from ≤ ts < to`. */
export function sliceTicks(t: TickSeries, from: number, to: number): TickSeries {
  const a = lowerBound(t.ts, from);
  const b = lowerBound(t.ts, to);
  return {
    symbol: t.symbol,
    kind: t.kind,
    length: b - a,
    ts: t.ts.subarray(a, b),
    price: t.price.subarray(a, b),
    size: t.size.subarray(a, b),
    side: t.side.subarray(a, b),
    bid: t.bid.subarray(a, b),
    ask: t.ask.subarray(a, b),
    bidSize: t.bidSize.subarray(a, b),
    askSize: t.askSize.subarray(a, b),
  };
}

function windowed(data: RunData, w: TimeWindow | undefined): Pick<BacktestSpec, "data" | "ticks"> {
  const ticks = w ? data.ticks.map((t) => sliceTicks(t, w.warmupFrom ?? w.from, w.to)) : data.ticks;
  const bars = w ? data.bars.map((s) => sliceSeries(s, w.warmupFrom ?? w.from, w.to)) : data.bars;
  const kept = new Set(bars.filter((s) => s.length > 0).map((s) => s.symbol));
  return {
    data: bars.filter((s) => kept.has(s.symbol)),
    ...(ticks.length > 0 ? { ticks: ticks.filter((t) => t.length > 0 && kept.has(t.symbol)) } : {}),
  };
}

/** The strategies of one run: the single strategy with the job's parameters, or the portfolio's with theirs. */
export function strategyRuns(setup: RunSetup, params: ParamValues): StrategyRun[] {
  if (!setup.strategies) {
    return [{
      id: "opt",
      module: setup.module!,
      ...(setup.export ? { export: setup.export } : {}),
      params,
      ...(setup.limits ? { limits: setup.limits } : {}),
    }];
  }
  return setup.strategies.map((s) => ({
    id: s.id,
    module: s.module,
    ...(s.export ? { export: s.export } : {}),
    params: { ...s.params, ...strategyParams(params, s.id) },
    ...(s.symbols ? { symbols: s.symbols } : {}),
    ...(s.capital !== undefined ? { capital: s.capital } : {}),
    ...(s.limits ? { limits: s.limits } : {}),
  }));
}

export function createRunner(setup: RunSetup, data: RunData): Runner {
  // Each backtest's actors log as a single backtest does: at TRADEACTOR_LOG's level, default warn, on stderr.
  const logLevel = levelFromEnv("warn");
  const logSink = stderrSink(logLevel);
  return async (job) => {
    const result = await runBacktest({
      logSink,
      logLevel,
      strategies: strategyRuns(setup, job.params),
      ...windowed(data, job.window),
      cash: setup.cash,
      ...(setup.closeAtEnd ? { closeAtEnd: true } : {}),
      ...(setup.risk ? { risk: setup.risk } : {}),
      ...(setup.quarantinePolicy ? { quarantinePolicy: setup.quarantinePolicy } : {}),
      ...(setup.allocation ? { allocation: setup.allocation } : {}),
      ...(setup.sim ? { sim: setup.sim } : {}),
      ...(setup.seed !== undefined ? { seed: setup.seed } : {}),
    });
    const sections = result.portfolio?.strategies;
    const strategies = sections ? Object.fromEntries(sections.map((s) => [s.id, s.report])) : undefined;
    const out = { id: job.id, report: result.report, ...(strategies ? { strategies } : {}) };
    if (!job.detail) return out;
    const start = job.window ? lowerBound(result.input.ts, job.window.from) : 0;
    const detail = (input: typeof result.input): RunDetail => {
      const { ts, equity, close, trades } = input;
      return { ts, equity, close, trades, start };
    };
    return {
      ...out,
      detail: {
        ...detail(result.input),
        ...(sections
          ? { strategies: Object.fromEntries(sections.map((s) => [s.id, { ...detail(s.input), capital: s.capital }])) }
          : {}),
      },
    };
  };
}
