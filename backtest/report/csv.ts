// CSV files for spreadsheets and pandas: a header row, comma separated, "\n" line ends, times as ISO 8601 UTC,
// numbers in JavaScript's shortest round-trip form, empty cells for NaN/±Infinity.
import type { ClosedTrade } from "./types.ts";

const TRADE_COLUMNS = [
  "strategyId",
  "symbol",
  "size",
  "entryBar",
  "exitBar",
  "entryTime",
  "exitTime",
  "entryPrice",
  "exitPrice",
  "pnl",
  "commission",
  "returnPct",
  "mae",
  "mfe",
] as const;

function num(x: number): string {
  return Number.isFinite(x) ? String(x === 0 ? 0 : x) : "";
}

function text(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function iso(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : "";
}

/** One row per trade, columns as ClosedTrade's fields (returnPct, mae and mfe stay fractions). */
export function tradesCsv(trades: readonly ClosedTrade[]): string {
  const lines = [TRADE_COLUMNS.join(",")];
  for (const t of trades) {
    lines.push(
      TRADE_COLUMNS.map((c) => {
        const v = t[c];
        if (c === "entryTime" || c === "exitTime") return iso(v as number);
        return typeof v === "string" ? text(v) : num(v);
      }).join(","),
    );
  }
  return lines.join("\n") + "\n";
}

/** One row per bar: time, equity, drawdown (a fraction ≥ 0, as `drawdownSeries`). */
export function equityCsv(ts: ArrayLike<number>, equity: ArrayLike<number>, drawdown: ArrayLike<number>): string {
  const lines = ["time,equity,drawdown"];
  for (let i = 0; i < ts.length; i++) lines.push(`${iso(ts[i])},${num(equity[i])},${num(drawdown[i])}`);
  return lines.join("\n") + "\n";
}
