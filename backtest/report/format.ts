// Text forms of report values, following backtesting.py's console output (pandas' repr of its stats Series):
// numbers with up to 5 decimals, "--" for a missing value, pandas-style times and durations.
import type { FieldKind } from "./fields.ts";
import { DAY } from "./periodicity.ts";

const pad2 = (n: number) => String(n).padStart(2, "0");

/** "2004-08-19 00:00:00" (UTC), with ".mmm" when the time has milliseconds. */
export function formatTime(ms: number): string {
  if (!Number.isFinite(ms)) return "--";
  const iso = new Date(ms).toISOString(); // 2004-08-19T00:00:00.000Z
  const frac = iso.slice(19, 23);
  return iso.slice(0, 10) + " " + iso.slice(11, 19) + (frac === ".000" ? "" : frac);
}

/** pandas' Timedelta text: "3116 days 00:00:00", "0 days 01:30:00", "1 days 00:00:00.250". */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return "--";
  const sign = ms < 0 ? "-" : "";
  let rest = Math.abs(ms);
  const days = Math.floor(rest / DAY);
  rest -= days * DAY;
  const h = Math.floor(rest / 3_600_000), m = Math.floor(rest / 60_000) % 60, s = Math.floor(rest / 1000) % 60;
  const frac = rest % 1000;
  return `${sign}${days} days ${pad2(h)}:${pad2(m)}:${pad2(s)}` + (frac ? "." + String(frac).padStart(3, "0") : "");
}

/** Up to 5 decimals with trailing zeros dropped, keeping one (as Python prints a float: "10000.0"). */
export function formatNumber(x: number): string {
  if (Number.isNaN(x)) return "--";
  if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
  const s = x.toFixed(5);
  if (s.includes("e")) return s; // |x| ≥ 1e21: toFixed gives exponent notation
  return s.replace(/0+$/, "").replace(/\.$/, ".0");
}

/** A report value as text, by the field's kind. */
export function formatValue(value: number, kind: FieldKind): string {
  switch (kind) {
    case "time":
      return formatTime(value);
    case "duration":
      return formatDuration(value);
    case "count":
      return Number.isFinite(value) ? String(value) : "--";
    case "number":
      return formatNumber(value);
  }
}
