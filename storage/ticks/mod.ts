/** Tick data: trade prints and quotes from CSV or JSON, as columns, and bars made from them. */
export type { TickKind, TickSeries } from "./types.ts";
export { loadTicks, parseTicksCsv, parseTicksJson, type TickParseOptions } from "./parse.ts";
export { ticksToBars } from "./aggregate.ts";
