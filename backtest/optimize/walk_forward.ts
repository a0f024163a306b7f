/**
 * Walk-forward analysis: optimise on an in-sample (IS) window, run the best parameters on the out-of-sample (OOS)
 * window that follows, move on by one OOS length, and stitch the OOS equity curves into one curve whose
 * statistics (computeStats) say how the *procedure* would have done on unseen data.
 *
 * Windows are counted in bars of the first data series. Rolling: IS keeps its length; anchored: IS always starts
 * at the first bar. Each OOS run starts `warmupBars(best)` bars early (already-seen history, no look-ahead) so its
 * indicators are warm on the first OOS bar; only OOS bars are stitched. Each OOS segment starts from the previous
 * one's final equity (compounding): its curve is scaled by that ratio, and so are its trades' P&L.
 */
import type { BarSeries } from "../../actors/protocol/mod.ts";
import { type ClosedTrade, computeStats, type Report, type ReportInput } from "../report/mod.ts";
import type { SearchTarget } from "./target.ts";
import { validateParams } from "../../strategies/params.ts";
import { OptimizeError } from "./errors.ts";
import type { Pool } from "./pool.ts";
import { type FailedRun, type Objective, runSearch } from "./search.ts";
import { isFailure, type ParamValues, type RunDetail } from "./types.ts";

export interface WalkForwardOptions {
  readonly isBars: number;
  readonly oosBars: number;
  readonly anchored?: boolean;
}

/** Half-open bar index ranges [start, end). */
export interface Fold {
  readonly is: readonly [number, number];
  readonly oos: readonly [number, number];
}

export function walkForwardFolds(bars: number, o: WalkForwardOptions): Fold[] {
  for (const [name, v] of [["isBars", o.isBars], ["oosBars", o.oosBars]] as const) {
    if (!(Number.isInteger(v) && v >= 1)) {
      throw new OptimizeError(`walk-forward ${name} must be an integer ≥ 1, got ${v}`);
    }
  }
  const folds: Fold[] = [];
  for (let s = o.isBars; s < bars; s += o.oosBars) {
    folds.push({ is: [o.anchored ? 0 : s - o.isBars, s], oos: [s, Math.min(s + o.oosBars, bars)] });
  }
  if (folds.length === 0) {
    throw new OptimizeError(`walk-forward needs more than isBars (${o.isBars}) bars; the data has ${bars}`);
  }
  return folds;
}

/** Default windows: IS = half the data, the rest in `folds` OOS windows. */
export function defaultWalkForward(bars: number, folds = 4, anchored = false): WalkForwardOptions {
  const isBars = Math.floor(bars / 2);
  return { isBars, oosBars: Math.max(1, Math.ceil((bars - isBars) / folds)), anchored };
}

export interface FoldResult extends Fold {
  /** Time ranges [from, to) in epoch ms. */
  readonly isTime: readonly [number, number];
  readonly oosTime: readonly [number, number];
  readonly best: ParamValues;
  readonly isObjective: number;
  readonly oosObjective: number;
  readonly oosReport: Report;
  /** Candidates run on this fold's IS. */
  readonly tested: number;
}

export interface WalkForwardResult {
  readonly folds: readonly FoldResult[];
  /** The stitched OOS run: statistics and the series they came from. */
  readonly report: Report;
  readonly input: ReportInput;
  /** In-sample runs that threw, over every fold (`index` counts across folds: fold × candidates + run). */
  readonly failed: FailedRun[];
}

export async function walkForward(
  pool: Pool,
  def: SearchTarget,
  primary: BarSeries,
  combos: readonly ParamValues[],
  objective: Objective,
  options: WalkForwardOptions & {
    readonly cash: number;
    readonly onFold?: (fold: number, folds: number) => void;
    readonly onDone?: (done: number, total: number) => void;
  },
): Promise<WalkForwardResult> {
  const folds = walkForwardFolds(primary.length, options);
  const time = (i: number) => i < primary.length ? primary.ts[i] : primary.ts[primary.length - 1] + 1;
  const out: FoldResult[] = [];
  const segments: RunDetail[] = [];
  const failed: FailedRun[] = [];
  for (let k = 0; k < folds.length; k++) {
    const fold = folds[k];
    options.onFold?.(k, folds.length);
    const isTime = [time(fold.is[0]), time(fold.is[1])] as const;
    const oosTime = [time(fold.oos[0]), time(fold.oos[1])] as const;
    const search = await runSearch(pool, combos, objective, {
      window: { from: isTime[0], to: isTime[1] },
      ...(options.onDone ? { onDone: options.onDone } : {}),
    });
    const rows = search.rows;
    failed.push(...search.failed.map((f) => ({ ...f, index: k * combos.length + f.index })));
    const best = rows[0];
    if (!best) {
      throw new OptimizeError(
        `walk-forward fold ${k + 1}: every in-sample run failed (first: ${JSON.stringify(search.failed[0]?.params)}: ` +
          `${search.failed[0]?.error})`,
      );
    }
    const warmup = def.warmupBars?.(validateParams(def.name, def.params, best.params) as ParamValues) ?? 0;
    const [oos] = await pool.run([{
      id: 0,
      params: best.params,
      detail: true,
      window: { from: oosTime[0], to: oosTime[1], warmupFrom: time(Math.max(0, fold.oos[0] - warmup)) },
    }]);
    if (isFailure(oos)) {
      throw new OptimizeError(
        `walk-forward fold ${k + 1}: the out-of-sample run of ${JSON.stringify(best.params)} failed: ${oos.error}`,
      );
    }
    const detail = oos.detail!;
    segments.push(detail);
    const oosReport = computeStats(segmentInput([detail], options.cash));
    // A strategy's objective: its own out-of-sample curve, from its own capital.
    const own = objective.strategy !== undefined ? detail.strategies?.[objective.strategy] : undefined;
    const oosObjective = objective.strategy === undefined
      ? oosReport[objective.stat]
      : own
      ? computeStats(segmentInput([own], own.capital))[objective.stat]
      : NaN;
    out.push({
      ...fold,
      isTime,
      oosTime,
      best: best.params,
      isObjective: best.objective,
      oosObjective,
      oosReport,
      tested: rows.length,
    });
  }
  const input = segmentInput(segments, options.cash);
  return { folds: out, report: computeStats(input), input, failed };
}

/** Stitches OOS segments (bars from each `start`) into one compounding equity curve, with its trades. */
export function segmentInput(segments: readonly RunDetail[], cash: number): ReportInput {
  const n = segments.reduce((sum, s) => sum + s.ts.length - s.start, 0);
  const ts = new Float64Array(n), equity = new Float64Array(n), close = new Float64Array(n);
  const trades: ClosedTrade[] = [];
  let offset = 0;
  let level = cash;
  for (const s of segments) {
    // Equity just before the first OOS bar: warm-up bars may not trade, but a signal on the last one fills at
    // the first OOS open, which belongs to the OOS segment.
    const base = s.start > 0 ? s.equity[s.start - 1] : cash;
    const scale = level / base;
    for (let i = s.start; i < s.ts.length; i++) {
      ts[offset + i - s.start] = s.ts[i];
      equity[offset + i - s.start] = s.equity[i] * scale;
      close[offset + i - s.start] = s.close[i];
    }
    for (const t of s.trades) {
      if (t.entryBar < s.start) continue;
      trades.push({
        ...t,
        entryBar: t.entryBar - s.start + offset,
        exitBar: t.exitBar - s.start + offset,
        pnl: t.pnl * scale,
        commission: t.commission * scale,
      });
    }
    offset += s.ts.length - s.start;
    if (offset > 0) level = equity[offset - 1];
  }
  return {
    ts,
    equity,
    close,
    trades,
    initialCash: cash,
    totalCommission: trades.reduce((sum, t) => sum + t.commission, 0),
  };
}
