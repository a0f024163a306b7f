// CSV files for spreadsheets and pandas: a header row, comma separated, "\n" line ends, times as ISO 8601 UTC,
// numbers in JavaScript's shortest round-trip form, empty cells for NaN/±Infinity.
import { dirname } from "node:path";
import { isoTimeWriter, writeNumberCell } from "./decimal.ts";
import { drawdownSeries } from "./drawdown.ts";
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
type TradeColumn = typeof TRADE_COLUMNS[number];

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
  const time = isoTimeWriter();
  // strategyId and symbol repeat on every row: each distinct one is escaped and encoded once.
  const cells = new Map<string, Uint8Array>();
  const bytesOf = (s: string) => {
    let bytes = cells.get(s);
    if (!bytes) cells.set(s, bytes = new TextEncoder().encode(text(s)));
    return bytes;
  };
  const roomOf = (v: unknown) => typeof v === "string" ? bytesOf(v).length : 0;
  // A cell as `tradeRow` writes it, whatever the value's type: a string as text, a number by `num`, else nothing.
  const cell = (out: Uint8Array, pos: number, v: unknown) => {
    if (typeof v === "number") return writeNumberCell(out, pos, v);
    if (typeof v !== "string") return pos;
    const bytes = bytesOf(v);
    out.set(bytes, pos);
    return pos + bytes.length;
  };
  const timeCell = (out: Uint8Array, pos: number, v: unknown) => typeof v === "number" ? time(out, pos, v) : pos;
  // The columns by name, in TRADE_COLUMNS order: direct loads rather than a keyed load per cell.
  await writeLines(path, TRADE_COLUMNS.join(","), trades.length, (i) => {
    const t = trades[i] as unknown as Record<TradeColumn, unknown>;
    // Strings anywhere (numeric columns never hold one, by the types, but a row must never overflow the buffer).
    return TRADE_ROW_BYTES + roomOf(t.strategyId) + roomOf(t.symbol) + roomOf(t.size) + roomOf(t.entryBar) +
      roomOf(t.exitBar) + roomOf(t.entryPrice) + roomOf(t.exitPrice) + roomOf(t.pnl) + roomOf(t.commission) +
      roomOf(t.returnPct) + roomOf(t.mae) + roomOf(t.mfe);
  }, (out, pos, i) => {
    const t = trades[i] as unknown as Record<TradeColumn, unknown>;
    pos = cell(out, pos, t.strategyId);
    out[pos++] = 44; // ","
    pos = cell(out, pos, t.symbol);
    out[pos++] = 44;
    pos = cell(out, pos, t.size);
    out[pos++] = 44;
    pos = cell(out, pos, t.entryBar);
    out[pos++] = 44;
    pos = cell(out, pos, t.exitBar);
    out[pos++] = 44;
    pos = timeCell(out, pos, t.entryTime);
    out[pos++] = 44;
    pos = timeCell(out, pos, t.exitTime);
    out[pos++] = 44;
    pos = cell(out, pos, t.entryPrice);
    out[pos++] = 44;
    pos = cell(out, pos, t.exitPrice);
    out[pos++] = 44;
    pos = cell(out, pos, t.pnl);
    out[pos++] = 44;
    pos = cell(out, pos, t.commission);
    out[pos++] = 44;
    pos = cell(out, pos, t.returnPct);
    out[pos++] = 44;
    pos = cell(out, pos, t.mae);
    out[pos++] = 44;
    pos = cell(out, pos, t.mfe);
    out[pos] = 10; // "\n"
    return pos + 1;
  });
}

/** A curve's equity.csv (its drawdown computed), its directory made when missing: every writer of the file uses it. */
export async function writeEquityFile(path: string, ts: Float64Array, equity: Float64Array): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await writeEquityCsv(path, ts, equity, drawdownSeries(equity));
}

/** `equityCsv` written to `path` a chunk at a time. */
export async function writeEquityCsv(
  path: string,
  ts: ArrayLike<number>,
  equity: ArrayLike<number>,
  drawdown: ArrayLike<number>,
): Promise<void> {
  const time = isoTimeWriter();
  await writeLines(path, EQUITY_HEADER, ts.length, () => EQUITY_ROW_BYTES, (out, pos, i) => {
    pos = time(out, pos, ts[i]);
    out[pos++] = 44;
    pos = writeNumberCell(out, pos, equity[i]);
    out[pos++] = 44;
    pos = writeNumberCell(out, pos, drawdown[i]);
    out[pos] = 10;
    return pos + 1;
  });
}

// Room a row may take: a time ≤ 30 bytes ("+275760-09-13T00:00:00.000Z"), a number ≤ 25 ("-1.2345678901234567e-300").
const EQUITY_ROW_BYTES = 30 + 2 * 25 + 3;
const TRADE_ROW_BYTES = 2 * 30 + TRADE_COLUMNS.length * 26 + 1;
const CHUNK_BYTES = 1 << 20;

/**
 * Writes `header` and `rows` rows to `path` through one reused buffer: `room(i)` bounds row i's bytes, `row` writes
 * them at `pos` and returns the position after. A buffer is flushed before a row could overflow it.
 */
async function writeLines(
  path: string,
  header: string,
  rows: number,
  room: (i: number) => number,
  row: (out: Uint8Array, pos: number, i: number) => number,
): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  let out = new Uint8Array(CHUNK_BYTES);
  let pos = 0;
  const flush = async () => {
    for (let off = 0; off < pos;) off += await file.write(out.subarray(off, pos));
    pos = 0;
  };
  try {
    const head = new TextEncoder().encode(header + "\n");
    out.set(head);
    pos = head.length;
    for (let i = 0; i < rows; i++) {
      const need = room(i);
      if (pos + need > out.length) {
        await flush();
        if (need > out.length) out = new Uint8Array(need); // a row of very long strings
      }
      pos = row(out, pos, i);
    }
    await flush();
  } finally {
    file.close();
  }
}
