// One round trip, a position opened then closed (possibly partially): defined with the protocol, because the
// portfolio (an actor) builds them and actors never import from backtest/.
import type { ClosedTrade } from "../../actors/protocol/mod.ts";
export type { ClosedTrade };

/** What the engine hands the report. All series have one element per bar. */
export interface ReportInput {
  /** Bar times (epoch ms UTC), ascending. */
  readonly ts: Float64Array;
  /** Account equity at each bar's close (cash + marked positions). */
  readonly equity: Float64Array;
  /** Benchmark price per bar (the traded symbol's close) for Buy & Hold, Alpha and Beta. */
  readonly close: Float64Array;
  /** Closed trades, plus trades still open at the end if the run closes them. */
  readonly trades: readonly ClosedTrade[];
  readonly initialCash: number;
  readonly totalCommission: number;
  /** Total traded notional; when absent it is Σ |size| × (entryPrice + exitPrice) over the trades. */
  readonly turnover?: number;
}

export interface ReportOptions {
  /** Annual risk-free rate as a fraction, −1 < r < 1 (backtesting.py's `risk_free_rate`). Default 0. */
  readonly riskFreeRate?: number;
  /**
   * Bars before the strategy could first trade (indicator warm-up). Buy & Hold is measured from
   * `close[warmupBars]`, as backtesting.py does with `_indicator_warmup_nbars`. Default 0.
   */
  readonly warmupBars?: number;
}

/** OHLC columns for the HTML price chart (optional: without them the chart draws `input.close`). */
export interface Ohlc {
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
}

/**
 * The backtest statistics. Every field is a number; a value that does not exist (no trades, too few bars,
 * a division by zero) is NaN, as in backtesting.py. Times are epoch ms UTC, durations are ms, `…Pct` fields are
 * percentages (×100). The field order here is the order of `REPORT_FIELDS`, of the table and of the JSON.
 */
export interface Report {
  readonly start: number;
  readonly end: number;
  readonly durationMs: number;
  readonly exposureTimePct: number;
  readonly equityFinal: number;
  readonly equityPeak: number;
  readonly commissions: number;
  readonly returnPct: number;
  readonly buyHoldReturnPct: number;
  readonly returnAnnPct: number;
  readonly volatilityAnnPct: number;
  readonly cagrPct: number;
  readonly sharpeRatio: number;
  readonly sortinoRatio: number;
  /**
   * The conventional ratios, beside backtesting.py's: mean of the period returns (less the risk-free rate per period)
   * over their standard deviation (ddof 1) or downside deviation, × √annualPeriods.
   */
  readonly sharpeRatioPeriodic: number;
  readonly sortinoRatioPeriodic: number;
  readonly calmarRatio: number;
  readonly alphaPct: number;
  readonly beta: number;
  readonly maxDrawdownPct: number;
  readonly avgDrawdownPct: number;
  readonly maxDrawdownDurationMs: number;
  readonly avgDrawdownDurationMs: number;
  readonly tradeCount: number;
  readonly winRatePct: number;
  readonly bestTradePct: number;
  readonly worstTradePct: number;
  readonly avgTradePct: number;
  readonly maxTradeDurationMs: number;
  readonly avgTradeDurationMs: number;
  readonly profitFactor: number;
  readonly expectancyPct: number;
  readonly sqn: number;
  readonly kellyCriterion: number;
  // Beyond backtesting.py.
  readonly omegaRatio: number;
  readonly tailRatio: number;
  readonly var95Pct: number;
  readonly cvar95Pct: number;
  readonly turnover: number;
  readonly longestWinStreak: number;
  readonly longestLossStreak: number;
  readonly avgMaePct: number;
  readonly avgMfePct: number;
  // How the annualised figures were annualised.
  readonly barPeriodMs: number;
  readonly annualPeriods: number;
}
