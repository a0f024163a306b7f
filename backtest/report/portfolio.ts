// A portfolio run's report beside the account's: each strategy's own statistics, from its own equity (its capital
// plus its P&L, the portfolio actor's per-strategy ledger), its own trades and its first symbol as benchmark.
import { computeStats } from "./stats.ts";
import { REPORT_FIELDS } from "./fields.ts";
import type { ClosedTrade, Report, ReportInput } from "./types.ts";
import type { Correlation } from "./correlation.ts";

export interface StrategySection {
  readonly id: string;
  readonly symbols: readonly string[];
  /** Its capital at the start. */
  readonly capital: number;
  readonly report: Report;
  readonly input: ReportInput;
}

export interface PortfolioSection {
  /** The symbol whose price the report's price chart draws (the first data series). */
  readonly priceSymbol: string;
  readonly strategies: readonly StrategySection[];
  /** The capital allocation, when the run had one: its rule, starting weights and the times it rebalanced. */
  readonly allocation?: {
    readonly method: string;
    readonly rebalance: unknown;
    readonly lookback: number;
    readonly weights: Readonly<Record<string, number>>;
    readonly rebalances: readonly number[];
  };
  /** Daily-return correlations of the strategies and of the symbols, and rolling ones per pair of strategies. */
  readonly correlation: Correlation;
}

export interface StrategySeries {
  readonly id: string;
  readonly symbols: readonly string[];
  readonly capital: number;
  /** The strategy's equity at each bar of the account's record. */
  readonly equity: Float64Array;
  /** Its benchmark (its first symbol's close) at each bar of the record. */
  readonly close: Float64Array;
  readonly warmupBars: number;
  /** Notional it traded (open trades' entries included, as the account's). */
  readonly turnover?: number;
}

/** One strategy's statistics from its series and the account's trades (filtered to its own). */
export function strategySection(
  s: StrategySeries,
  ts: Float64Array,
  trades: readonly ClosedTrade[],
): StrategySection {
  const own = trades.filter((t) => t.strategyId === s.id);
  const input: ReportInput = {
    ts,
    equity: s.equity,
    close: s.close,
    trades: own,
    initialCash: s.capital,
    totalCommission: own.reduce((sum, t) => sum + t.commission, 0),
    ...(s.turnover !== undefined ? { turnover: s.turnover } : {}),
  };
  const warmupBars = Math.min(s.warmupBars, Math.max(0, ts.length - 1));
  return { id: s.id, symbols: s.symbols, capital: s.capital, report: computeStats(input, { warmupBars }), input };
}

/** A strategy's entry in report.json: its capital and symbols, then its statistics in REPORT_FIELDS order. */
export function sectionJson(s: StrategySection, number: (x: number) => number | null): Record<string, unknown> {
  const out: Record<string, unknown> = { capital: number(s.capital), symbols: s.symbols };
  for (const { key } of REPORT_FIELDS) out[key] = number(s.report[key]);
  return out;
}

/**
 * Equity as if no capital had moved in or out: the first value, compounded by each bar's return measured after the
 * previous bar's flow (`flows[i]` moved in after bar i's point). Without flows, the equity itself.
 */
export function timeWeighted(equity: Float64Array, flows?: Float64Array): Float64Array {
  if (!flows || flows.every((f) => f === 0)) return equity;
  const out = new Float64Array(equity.length);
  if (equity.length === 0) return out;
  out[0] = equity[0];
  for (let i = 1; i < equity.length; i++) {
    const base = equity[i - 1] + flows[i - 1];
    out[i] = base > 0 ? out[i - 1] * (equity[i] / base) : 0;
  }
  return out;
}
