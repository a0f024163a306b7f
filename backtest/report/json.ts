import { REPORT_FIELDS } from "./fields.ts";
import type { Report } from "./types.ts";
import { type PortfolioSection, sectionJson } from "./portfolio.ts";

/**
 * The report as JSON: keys in REPORT_FIELDS order, two-space indent, a trailing newline. Numbers use
 * JavaScript's shortest round-trip form (deterministic: the same report gives the same bytes); NaN and
 * ±Infinity, which JSON cannot hold, become null; −0 becomes 0.
 */
export function toJson(report: Report, portfolio?: PortfolioSection): string {
  const out: Record<string, unknown> = {};
  for (const { key } of REPORT_FIELDS) out[key] = jsonNumber(report[key]);
  // A portfolio: the account's statistics above (the same keys as one strategy's report), then each strategy's.
  if (portfolio) {
    out.strategies = Object.fromEntries(portfolio.strategies.map((s) => [s.id, sectionJson(s, jsonNumber)]));
    if (portfolio.allocation) out.allocation = portfolio.allocation;
    out.correlation = portfolio.correlation;
  }
  return JSON.stringify(out, null, 2) + "\n";
}

export function jsonNumber(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  return x === 0 ? 0 : x;
}
