/**
 * Market data for backtests: CSV and JSON candles → validated columnar `BarSeries`, gap reports, resampling.
 *
 * ```ts
 * const { series, gaps, warnings } = await loadBars("../shared/data/backtesting_py/GOOG.csv");
 * const hourly = resample(minuteSeries, "1h");
 * ```
 */
export { loadBars, type LoadOptions, type LoadResult, nameFromFile, parseBars } from "./load.ts";
export { type CsvOptions, parseCsv, parseCsvColumns } from "./csv.ts";
export { readCsvColumns } from "./csv_read.ts";
export { candlesToColumns, type JsonOptions, parseJsonCandles, parseJsonColumns } from "./json.ts";
export { DataError, type DataErrorLocation, type LocationUnit } from "./errors.ts";
export { countMissing, findGaps, type Gap, type GapOptions, inferCalendar } from "./gaps.ts";
export { type Calendar, CALENDARS, expectedBetween, isCalendar } from "./calendar.ts";
export { resample, type ResampleOptions } from "./resample.ts";
export { barAt } from "./bar.ts";
export { type BarLimits, DEFAULT_MAX_PRICE } from "./validate.ts";
export { type Columns, toSeries } from "./columns.ts";
export { medianSpacing, nearestTimeframe } from "./timeframe.ts";
