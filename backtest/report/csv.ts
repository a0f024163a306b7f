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

function tradeRow(t: ClosedTrade): string {
  return TRADE_COLUMNS.map((c) => {
    const v = t[c];
    if (c === "entryTime" || c === "exitTime") return iso(v as number);
    return typeof v === "string" ? text(v) : num(v);
  }).join(",");
}

const EQUITY_HEADER = "time,equity,drawdown";

/** One row per trade, columns as ClosedTrade's fields (returnPct, mae and mfe stay fractions). */
export function tradesCsv(trades: readonly ClosedTrade[]): string {
  const lines = [TRADE_COLUMNS.join(",")];
  for (const t of trades) lines.push(tradeRow(t));
  return lines.join("\n") + "\n";
}

/** One row per bar: time, equity, drawdown (a fraction ≥ 0, as `drawdownSeries`). */
export function equityCsv(ts: ArrayLike<number>, equity: ArrayLike<number>, drawdown: ArrayLike<number>): string {
  const lines = [EQUITY_HEADER];
  for (let i = 0; i < ts.length; i++) lines.push(`${iso(ts[i])},${num(equity[i])},${num(drawdown[i])}`);
  return lines.join("\n") + "\n";
}

/** `tradesCsv` written to `path` a chunk at a time, so a long run's file is never one string in memory. */
export async function writeTradesCsv(path: string, trades: readonly ClosedTrade[]): Promise<void> {
  await writeLines(path, TRADE_COLUMNS.join(","), trades.length, (i) => tradeRow(trades[i]));
}

/** `equityCsv` written to `path` a chunk at a time. */
export async function writeEquityCsv(
  path: string,
  ts: ArrayLike<number>,
  equity: ArrayLike<number>,
  drawdown: ArrayLike<number>,
): Promise<void> {
  const time = isoFormatter();
  await writeLines(path, EQUITY_HEADER, ts.length, (i) => `${time(ts[i])},${num(equity[i])},${num(drawdown[i])}`);
}

const DAY_MS = 86_400_000;
const PAD2 = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, "0"));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, "0"));

/**
 * `iso` for a run of bar times: a million `Date.toISOString` calls were most of equity.csv's time, so the date part
 * is formatted once per day and the time of day from tables. Same text as `iso` for every input.
 */
export function isoFormatter(): (ms: number) => string {
  let day = NaN, prefix = "";
  return (ms) => {
    if (!(Math.abs(ms) <= 8.64e15)) return iso(ms);
    ms = Math.trunc(ms); // as Date does
    const d = Math.floor(ms / DAY_MS);
    if (d !== day) {
      day = d;
      const s = new Date(d * DAY_MS).toISOString();
      prefix = s.slice(0, s.length - 13); // through the "T"; 13 = "HH:MM:SS.mmmZ"
    }
    const t = ms - d * DAY_MS;
    const sec = Math.floor(t / 1000);
    return `${prefix}${PAD2[Math.floor(sec / 3600)]}:${PAD2[Math.floor(sec / 60) % 60]}:${PAD2[sec % 60]}.${
      PAD3[t % 1000]
    }Z`;
  };
}

const CHUNK_CHARS = 1 << 20;

async function writeLines(path: string, header: string, rows: number, row: (i: number) => string): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  const flush = async (chunk: string) => {
    const bytes = encoder.encode(chunk);
    for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
  };
  try {
    let chunk = header + "\n";
    for (let i = 0; i < rows; i++) {
      chunk += row(i) + "\n";
      if (chunk.length >= CHUNK_CHARS) {
        await flush(chunk);
        chunk = "";
      }
    }
    await flush(chunk);
  } finally {
    file.close();
  }
}
