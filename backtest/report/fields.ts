import type { Report } from "./types.ts";

/** How a field's value is shown: a date-time, a duration, a count or a plain number. */
export type FieldKind = "time" | "duration" | "count" | "number";

export interface ReportField {
  readonly key: keyof Report;
  /** backtesting.py's label (ours for the fields it does not have). */
  readonly label: string;
  readonly kind: FieldKind;
}

/** Every Report field in display and JSON order. A test checks it lists each key of Report exactly once. */
export const REPORT_FIELDS: readonly ReportField[] = [
  { key: "start", label: "Start", kind: "time" },
  { key: "end", label: "End", kind: "time" },
  { key: "durationMs", label: "Duration", kind: "duration" },
  { key: "exposureTimePct", label: "Exposure Time [%]", kind: "number" },
  { key: "equityFinal", label: "Equity Final [$]", kind: "number" },
  { key: "equityPeak", label: "Equity Peak [$]", kind: "number" },
  { key: "commissions", label: "Commissions [$]", kind: "number" },
  { key: "returnPct", label: "Return [%]", kind: "number" },
  { key: "buyHoldReturnPct", label: "Buy & Hold Return [%]", kind: "number" },
  { key: "returnAnnPct", label: "Return (Ann.) [%]", kind: "number" },
  { key: "volatilityAnnPct", label: "Volatility (Ann.) [%]", kind: "number" },
  { key: "cagrPct", label: "CAGR [%]", kind: "number" },
  { key: "sharpeRatio", label: "Sharpe Ratio", kind: "number" },
  { key: "sortinoRatio", label: "Sortino Ratio", kind: "number" },
  // Conventional (mean / std of period returns × √periods per year, the "Periods per Year" field below).
  { key: "sharpeRatioPeriodic", label: "Sharpe Ratio (mean/std × √periods)", kind: "number" },
  { key: "sortinoRatioPeriodic", label: "Sortino Ratio (mean/downside × √periods)", kind: "number" },
  { key: "calmarRatio", label: "Calmar Ratio", kind: "number" },
  { key: "alphaPct", label: "Alpha [%]", kind: "number" },
  { key: "beta", label: "Beta", kind: "number" },
  { key: "maxDrawdownPct", label: "Max. Drawdown [%]", kind: "number" },
  { key: "avgDrawdownPct", label: "Avg. Drawdown [%]", kind: "number" },
  { key: "maxDrawdownDurationMs", label: "Max. Drawdown Duration", kind: "duration" },
  { key: "avgDrawdownDurationMs", label: "Avg. Drawdown Duration", kind: "duration" },
  { key: "tradeCount", label: "# Trades", kind: "count" },
  { key: "winRatePct", label: "Win Rate [%]", kind: "number" },
  { key: "bestTradePct", label: "Best Trade [%]", kind: "number" },
  { key: "worstTradePct", label: "Worst Trade [%]", kind: "number" },
  { key: "avgTradePct", label: "Avg. Trade [%]", kind: "number" },
  { key: "maxTradeDurationMs", label: "Max. Trade Duration", kind: "duration" },
  { key: "avgTradeDurationMs", label: "Avg. Trade Duration", kind: "duration" },
  { key: "profitFactor", label: "Profit Factor", kind: "number" },
  { key: "expectancyPct", label: "Expectancy [%]", kind: "number" },
  { key: "sqn", label: "SQN", kind: "number" },
  { key: "kellyCriterion", label: "Kelly Criterion", kind: "number" },
  { key: "omegaRatio", label: "Omega Ratio", kind: "number" },
  { key: "tailRatio", label: "Tail Ratio", kind: "number" },
  { key: "var95Pct", label: "VaR 95% [%]", kind: "number" },
  { key: "cvar95Pct", label: "CVaR 95% [%]", kind: "number" },
  { key: "turnover", label: "Turnover [$]", kind: "number" },
  { key: "longestWinStreak", label: "Longest Win Streak", kind: "count" },
  { key: "longestLossStreak", label: "Longest Loss Streak", kind: "count" },
  { key: "avgMaePct", label: "Avg. MAE [%]", kind: "number" },
  { key: "avgMfePct", label: "Avg. MFE [%]", kind: "number" },
  { key: "barPeriodMs", label: "Bar Period", kind: "duration" },
  { key: "annualPeriods", label: "Periods per Year", kind: "count" },
];
