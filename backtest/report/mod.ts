/**
 * The backtest report: backtesting.py v0.6.6-compatible statistics and their console, JSON, CSV and HTML forms.
 * See README.md for every formula.
 *
 * @module
 */
export type { ClosedTrade, Ohlc, Report, ReportInput, ReportOptions } from "./types.ts";
export { computeStats } from "./stats.ts";
export { type FieldKind, REPORT_FIELDS, type ReportField } from "./fields.ts";
export { formatDuration, formatNumber, formatTime, formatValue } from "./format.ts";
export { formatStrategiesTable, formatTable, STRATEGY_TABLE_FIELDS, type TableOptions } from "./table.ts";
export { toJson } from "./json.ts";
export { equityCsv, tradesCsv, writeEquityCsv, writeEquityFile, writeTradesCsv } from "./csv.ts";
export { drawdownSeries } from "./drawdown.ts";
export { type HtmlOptions, renderHtml } from "./html.ts";
export { equityCsvPath, isDirectoryName, REPORT_FILES, type WriteOptions, writeReport } from "./write.ts";
export { createEquityCsvWriter, type EquityCsvWriter } from "./equity_file.ts";
export {
  type PortfolioSection,
  type StrategySection,
  strategySection,
  type StrategySeries,
  timeWeighted,
} from "./portfolio.ts";
export { type Correlation, correlation, type CorrelationMatrix, type RollingCorrelation } from "./correlation.ts";
