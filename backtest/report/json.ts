import { REPORT_FIELDS } from "./fields.ts";
import type { Report } from "./types.ts";

/**
 * The report as JSON: keys in REPORT_FIELDS order, two-space indent, a trailing newline. Numbers use
 * JavaScript's shortest round-trip form (deterministic: the same report gives the same bytes); NaN and
 * ±Infinity, which JSON cannot hold, become null; −0 becomes 0.
 */
export function toJson(report: Report): string {
  const out: Record<string, number | null> = {};
  for (const { key } of REPORT_FIELDS) out[key] = jsonNumber(report[key]);
  return JSON.stringify(out, null, 2) + "\n";
}

function jsonNumber(x: number): number | null {
  if (!Number.isFinite(x)) return null;
  return x === 0 ? 0 : x;
}
