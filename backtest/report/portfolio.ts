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
