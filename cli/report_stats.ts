/**
 * The backtest report's statistics (backtest/report) for the daemon's API: handed to the daemon from here because
 * actors/ never import backtest/. NaN and ±Infinity become null, as in the report's JSON.
 */
import { computeStats, REPORT_FIELDS } from "../backtest/report/mod.ts";
import type { Statistics } from "../actors/gateway/views/equity_view.ts";

export const reportStatistics: Statistics = (input) => {
  const report = computeStats(input);
  const out: Record<string, number | null> = {};
  for (const { key } of REPORT_FIELDS) {
    const x = report[key];
    out[key] = Number.isFinite(x) ? (x === 0 ? 0 : x) : null;
  }
  return out;
};
