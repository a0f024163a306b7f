/** Runs one job: the same code in a pool worker and in-process (workers: 0). Data is loaded once per runner. */
import { loadBars } from "../../storage/bars/mod.ts";
import { runBacktest } from "../engine.ts";
import type { BarSeries } from "../../actors/protocol/mod.ts";
import { levelFromEnv, stderrSink } from "../../actors/runtime/mod.ts";
import type { DataSpec, Job, JobOutcome, JobResult, RunSetup, TimeWindow } from "./types.ts";

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

function windowed(series: readonly BarSeries[], w: TimeWindow | undefined): BarSeries[] {
  if (!w) return [...series];
  return series.map((s) => sliceSeries(s, w.warmupFrom ?? w.from, w.to)).filter((s) => s.length > 0);
}

export async function createRunner(setup: RunSetup, preloaded?: readonly BarSeries[]): Promise<Runner> {
  const series = preloaded ?? await loadSeries(setup.data);
  // Each backtest's actors log as a single backtest does: at TRADEACTOR_LOG's level, default warn, on stderr.
  const logLevel = levelFromEnv("warn");
  const logSink = stderrSink(logLevel);
  return async (job) => {
    const result = await runBacktest({
      logSink,
      logLevel,
      strategies: [{
        id: "opt",
        module: setup.module,
        export: setup.export,
        params: job.params,
        ...(setup.limits ? { limits: setup.limits } : {}),
      }],
      data: windowed(series, job.window),
      cash: setup.cash,
      ...(setup.closeAtEnd ? { closeAtEnd: true } : {}),
      ...(setup.risk ? { risk: setup.risk } : {}),
      ...(setup.quarantinePolicy ? { quarantinePolicy: setup.quarantinePolicy } : {}),
      ...(setup.sim ? { sim: setup.sim } : {}),
      ...(setup.seed !== undefined ? { seed: setup.seed } : {}),
    });
    if (!job.detail) return { id: job.id, report: result.report };
    const { ts, equity, close, trades } = result.input;
    const start = job.window ? lowerBound(ts, job.window.from) : 0;
    return { id: job.id, report: result.report, detail: { ts, equity, close, trades, start } };
  };
}
