/**
 * Tick files: CSV with a header, or JSON (an array of arrays or of objects), of trades or of quotes.
 *
 * CSV headers (any case, `_` and spaces ignored): time `ts|time|timestamp|date|datetime`; trades `price|last` and
 * `size|qty|quantity|amount|volume` and optionally `side|aggressor` (`buy|sell|b|s|1|-1`); quotes `bid|bidprice` and
 * `ask|askprice`, optionally `bidsize|bidqty` and `asksize|askqty`. A file with a price column holds trades, else one
 * with bid and ask holds quotes. JSON arrays: `[ts, price, size(, side)]` are trades, `[ts, bid, ask, bidSize,
 * askSize]` quotes; JSON objects use the CSV names. Times are ISO-8601 (UTC unless it says otherwise) or epoch numbers
 * (≥ 1e11: ms, else seconds). Several ticks may share a millisecond; time never goes back.
 *
 * Every problem is a DataError with the file, line (CSV; header = line 1) or tick (JSON; first = 1) and column.
 */
import { DataError, type LocationUnit } from "../bars/errors.ts";
import { parseDateTime } from "../bars/dates.ts";
import { parseNumber } from "../bars/numbers.ts";
import { DEFAULT_MAX_PRICE } from "../bars/validate.ts";
import type { TickKind, TickSeries } from "./types.ts";

export interface TickParseOptions {
  readonly symbol: string;
  /** Prices above this are refused (a corrupt or mistyped value); default 1e12 as for bars. */
  readonly maxPrice?: number;
}

const norm = (h: string) => h.trim().toLowerCase().replace(/[\s_]/g, "");
const NAMES = {
  ts: ["ts", "time", "timestamp", "date", "datetime"],
  price: ["price", "last"],
  size: ["size", "qty", "quantity", "amount", "volume"],
  side: ["side", "aggressor"],
  bid: ["bid", "bidprice"],
  ask: ["ask", "askprice"],
  bidSize: ["bidsize", "bidqty"],
  askSize: ["asksize", "askqty"],
} as const;
type Field = keyof typeof NAMES;

function sideOf(raw: string): number {
  switch (raw.trim().toLowerCase()) {
    case "buy":
    case "b":
    case "1":
      return 1;
    case "sell":
    case "s":
    case "-1":
      return -1;
    case "":
      return 0;
    default:
      return NaN;
  }
}

/** Columns being filled; grown by doubling. */
function buffers(kind: TickKind, capacity: number) {
  const make = () => new Float64Array(capacity);
  return {
    kind,
    n: 0,
    ts: make(),
    price: make(),
    size: make(),
    side: new Int8Array(capacity),
    bid: make(),
    ask: make(),
    bidSize: make(),
    askSize: make(),
  };
}
type Buffers = ReturnType<typeof buffers>;

function grow(b: Buffers): Buffers {
  const next = buffers(b.kind, Math.max(16, b.ts.length * 2));
  for (const key of ["ts", "price", "size", "side", "bid", "ask", "bidSize", "askSize"] as const) {
    (next[key] as Float64Array).set(b[key] as Float64Array);
  }
  next.n = b.n;
  return next;
}

function finish(b: Buffers, symbol: string): TickSeries {
  const cut = <T extends Float64Array | Int8Array>(a: T) => a.slice(0, b.n) as T;
  return {
    symbol,
    kind: b.kind,
    length: b.n,
    ts: cut(b.ts),
    price: cut(b.price),
    size: cut(b.size),
    side: cut(b.side),
    bid: cut(b.bid),
    ask: cut(b.ask),
    bidSize: cut(b.bidSize),
    askSize: cut(b.askSize),
  };
}

interface Row {
  ts: number;
  price: number;
  size: number;
  side: number;
  bid: number;
  ask: number;
  bidSize: number;
  askSize: number;
}

/** Checks one row and appends it; `fail(column, reason)` throws the located error. */
function push(b: Buffers, row: Row, maxPrice: number, fail: (column: Field, reason: string) => never): Buffers {
  if (!Number.isFinite(row.ts)) fail("ts", "not a date/time or epoch");
  const last = b.n > 0 ? b.ts[b.n - 1] : -Infinity;
  if (row.ts < last) {
    fail("ts", `time goes back: ${new Date(row.ts).toISOString()} after ${new Date(last).toISOString()}`);
  }
  const price = (field: Field, v: number) => {
    if (!Number.isFinite(v)) fail(field, `${field} is not a number`);
    if (!(v > 0)) fail(field, `${field} ${v} is not positive`);
    if (v > maxPrice) fail(field, `${field} ${v} is above the largest plausible price ${maxPrice}`);
  };
  const size = (field: Field, v: number) => {
    if (!Number.isFinite(v) || v < 0) fail(field, `${field} ${v} is not a size ≥ 0`);
  };
  if (b.kind === "trade") {
    price("price", row.price);
    size("size", row.size);
    if (Number.isNaN(row.side)) fail("side", "side must be buy, sell, b, s, 1 or -1");
  } else {
    price("bid", row.bid);
    price("ask", row.ask);
    if (row.bid > row.ask) fail("ask", `crossed quote: bid ${row.bid} is above ask ${row.ask}`);
    size("bidSize", row.bidSize);
    size("askSize", row.askSize);
  }
  if (b.n === b.ts.length) b = grow(b);
  const i = b.n++;
  b.ts[i] = row.ts;
  if (b.kind === "trade") {
    b.price[i] = row.price;
    b.size[i] = row.size;
    b.side[i] = row.side;
    b.bid[i] =
      b.ask[i] =
      b.bidSize[i] =
      b.askSize[i] =
        NaN;
  } else {
    b.price[i] = (row.bid + row.ask) / 2;
    b.size[i] = 0;
    b.side[i] = 0;
    b.bid[i] = row.bid;
    b.ask[i] = row.ask;
    b.bidSize[i] = row.bidSize;
    b.askSize[i] = row.askSize;
  }
  return b;
}

const epochOrDate = (v: unknown): number => {
  if (typeof v === "number") return v >= 1e11 ? v : v * 1000;
  if (typeof v === "string") return parseDateTime(v, 0, v.length);
  return NaN;
};

export function parseTicksCsv(text: string, file: string, options: TickParseOptions): TickSeries {
  const maxPrice = options.maxPrice ?? DEFAULT_MAX_PRICE;
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let pos = body.indexOf("\n");
  const headerLine = (pos < 0 ? body : body.slice(0, pos)).replace(/\r$/, "");
  if (headerLine.trim() === "") throw new DataError({ file }, "empty file: expected a header line");
  const header = headerLine.split(",");
  const index: Partial<Record<Field, number>> = {};
  header.forEach((h, i) => {
    const name = norm(h);
    for (const [field, names] of Object.entries(NAMES)) {
      if ((names as readonly string[]).includes(name) && index[field as Field] === undefined) index[field as Field] = i;
    }
  });
  const kind: TickKind | undefined = index.price !== undefined
    ? "trade"
    : index.bid !== undefined && index.ask !== undefined
    ? "quote"
    : undefined;
  if (index.ts === undefined || kind === undefined) {
    throw new DataError(
      { file, line: 1 },
      `not a tick file: the header needs a time column (ts, time, timestamp) and either price (trades) or bid and ask ` +
        `(quotes); it has ${header.map((h) => JSON.stringify(h.trim())).join(", ")}`,
    );
  }
  if (kind === "trade" && index.size === undefined) {
    throw new DataError({ file, line: 1 }, "a trade file needs a size column (size, qty, quantity, amount, volume)");
  }
  let b = buffers(kind, 1024);
  let line = 1;
  const cells: string[] = [];
  while (pos >= 0 && pos < body.length) {
    const start = pos + 1;
    pos = body.indexOf("\n", start);
    const end = pos < 0 ? body.length : pos;
    line++;
    const raw = body.slice(start, end).replace(/\r$/, "");
    if (raw.trim() === "") continue;
    cells.length = 0;
    for (const c of raw.split(",")) cells.push(c);
    const cell = (field: Field) => index[field] === undefined ? "" : cells[index[field]!] ?? "";
    const num = (field: Field) => {
      const t = cell(field).trim();
      return t === "" ? NaN : parseNumber(t, 0, t.length);
    };
    const fail = (field: Field, reason: string): never => {
      const column = index[field] === undefined ? undefined : header[index[field]!].trim();
      throw new DataError({ file, line, ...(column ? { column } : {}) }, reason);
    };
    if (cells.length < header.length) fail("ts", `${cells.length} cells where the header has ${header.length}`);
    const tsText = cell("ts").trim();
    b = push(
      b,
      {
        ts: parseDateTime(tsText, 0, tsText.length),
        price: num("price"),
        size: num("size"),
        side: index.side === undefined ? 0 : sideOf(cell("side")),
        bid: num("bid"),
        ask: num("ask"),
        bidSize: index.bidSize === undefined ? 0 : num("bidSize"),
        askSize: index.askSize === undefined ? 0 : num("askSize"),
      },
      maxPrice,
      fail,
    );
  }
  return finish(b, options.symbol);
}

export function parseTicksJson(text: string, file: string, options: TickParseOptions): TickSeries {
  const maxPrice = options.maxPrice ?? DEFAULT_MAX_PRICE;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new DataError({ file }, `not valid JSON: ${(err as Error).message}`);
  }
  if (!Array.isArray(doc)) throw new DataError({ file }, "expected a JSON array of ticks");
  if (doc.length === 0) throw new DataError({ file }, "no ticks in the file");
  const first = doc[0];
  const kind: TickKind = Array.isArray(first)
    ? first.length === 5 ? "quote" : "trade"
    : first && typeof first === "object" && ("price" in first || "last" in first)
    ? "trade"
    : "quote";
  const unit: LocationUnit = "tick";
  let b = buffers(kind, doc.length);
  doc.forEach((item, k) => {
    const fail = (field: Field, reason: string): never => {
      throw new DataError({ file, line: k + 1, unit, column: field }, reason);
    };
    let row: Row;
    if (Array.isArray(item)) {
      const need = kind === "trade" ? [3, 4] : [5];
      if (!need.includes(item.length)) {
        fail("ts", `expected ${kind === "trade" ? "[ts, price, size(, side)]" : "[ts, bid, ask, bidSize, askSize]"}`);
      }
      row = kind === "trade"
        ? {
          ts: epochOrDate(item[0]),
          price: Number(item[1]),
          size: Number(item[2]),
          side: item[3] === undefined ? 0 : sideOf(String(item[3])),
          bid: NaN,
          ask: NaN,
          bidSize: NaN,
          askSize: NaN,
        }
        : {
          ts: epochOrDate(item[0]),
          price: NaN,
          size: 0,
          side: 0,
          bid: Number(item[1]),
          ask: Number(item[2]),
          bidSize: Number(item[3]),
          askSize: Number(item[4]),
        };
    } else if (item && typeof item === "object") {
      const o = Object.fromEntries(Object.entries(item as Record<string, unknown>).map(([k, v]) => [norm(k), v]));
      const pick = (field: Field) => {
        for (const name of NAMES[field]) if (o[name] !== undefined) return o[name];
        return undefined;
      };
      const num = (field: Field, fallback = NaN) => {
        const v = pick(field);
        return v === undefined || v === null ? fallback : typeof v === "number" ? v : Number(v);
      };
      const side = pick("side");
      row = {
        ts: epochOrDate(pick("ts")),
        price: num("price"),
        size: num("size", kind === "trade" ? NaN : 0),
        side: side === undefined ? 0 : sideOf(String(side)),
        bid: num("bid"),
        ask: num("ask"),
        bidSize: num("bidSize", 0),
        askSize: num("askSize", 0),
      };
    } else {
      return fail("ts", "expected an array or an object");
    }
    b = push(b, row, maxPrice, fail);
  });
  return finish(b, options.symbol);
}

/** Reads a tick file by its extension (.json, else CSV). */
export async function loadTicks(path: string, options: TickParseOptions): Promise<TickSeries> {
  const text = await Deno.readTextFile(path); // an OS error (no such file) stays one: the caller names the option
  return path.toLowerCase().endsWith(".json")
    ? parseTicksJson(text, path, options)
    : parseTicksCsv(text, path, options);
}
