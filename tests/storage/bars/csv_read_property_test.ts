/**
 * The byte reader (csv_read.ts) against the string parser (csv.ts parseCsvColumns): over many random CSV
 * files, in every layout and format the loader accepts plus junk, both give bit-identical columns or the same
 * error (message, line, column).
 */
import assert from "node:assert/strict";
import { parseBars, readCsvColumns } from "../../../storage/bars/mod.ts";
import { parseCsvColumns } from "../../../storage/bars/csv.ts";

/** The reference: the whole file decoded, then the string parser every row went through before the byte reader. */
const stringReader: typeof readCsvColumns = async (path, file, options) =>
  parseCsvColumns(await Deno.readTextFile(path), file, options);

function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
const int = (r: Rand, lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
const pad = (v: number, w = 2) => String(v).padStart(w, "0");

/** A positive number spelled one of the ways files spell numbers (most plain, some for the slow paths). */
function numberText(r: Rand, value: number, quotable: boolean): string {
  const k = r();
  if (k < 0.45) return value.toFixed(int(r, 0, 6)); // the common case
  if (k < 0.55) return value.toFixed(int(r, 7, 20)); // long mantissas
  if (k < 0.6) return String(value); // shortest round trip, maybe 17 digits
  if (k < 0.65) return value.toExponential(int(r, 0, 12)).replace("e+", pick(r, ["e+", "e", "E"]));
  if (k < 0.68) return "+" + value.toFixed(3);
  if (k < 0.71) return (0.1 + 0.8 * r()).toFixed(int(r, 1, 9)).slice(1); // ".123"
  if (k < 0.73) return Math.round(value) + "."; // "12."
  if (k < 0.75) return String(Math.round(value));
  if (k < 0.77) return pick(r, [" ", "  "]) + value.toFixed(2) + pick(r, ["", " "]);
  if (k < 0.8 && quotable) return `"${value.toFixed(int(r, 0, 4))}"`;
  if (k < 0.82 && quotable) return `"${Math.round(value * 1000).toLocaleString("en-US")}"`; // "1,234"
  if (k < 0.85) { // many digits around a dot
    const d = int(r, 1, 25);
    let s = String(int(r, 1, 9));
    for (let i = 1; i < d; i++) s += int(r, 0, 9);
    const dot = int(r, 0, Math.min(d, 6));
    return s.slice(0, dot) + (dot < d || r() < 0.5 ? "." : "") + s.slice(dot);
  }
  return value.toFixed(int(r, 1, 4));
}

const JUNK = ["", "abc", "NaN", "nan", "-inf", "Infinity", "1.2.3", "1e", "--1", "0x10", "1,5", "ü", "1\r2", "-1", "0"];

interface Layout {
  readonly header: string[];
  readonly delimiter: string;
  /** Separate time column (backtrader Date,Time). */
  readonly timeColumn: boolean;
}

function layout(r: Rand): Layout {
  const delimiter = r() < 0.8 ? "," : pick(r, [";", "\t"]);
  const base = pick(r, [
    ["", "Open", "High", "Low", "Close", "Volume"],
    ["date", "open", "high", "low", "close", "volume"],
    ["Date", "Time", "Open", "High", "Low", "Close", "Volume", "OpenInterest"],
    ["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"],
    ["CLOSE", "low", "High", "oPeN", "DATE"],
    ["timestamp", "open", "high", "low", "close", "vol", "note"],
    ["open_time", "open", "high", "low", "close"],
  ]);
  // A leading tab is blank space before the header, so a tab file names its date column.
  const header = delimiter === "\t" && base[0] === "" ? ["Date", ...base.slice(1)] : base;
  return { header, delimiter, timeColumn: base.includes("Time") };
}

/** A time as the file writes it; the formats of dates.ts, chosen per file and now and then per row. */
function timeText(r: Rand, t: number, format: number, dateOnly: boolean): string {
  const d = new Date(t);
  const ymd = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  const hms = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  const ms = d.getUTCMilliseconds();
  if (dateOnly) {
    return format % 3 === 0 ? `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}` : ymd;
  }
  switch (format) {
    case 0:
      return `${ymd}T${hms}${ms ? "." + pad(ms, 3) : ""}`;
    case 1:
      return `${ymd} ${hms}${ms ? "." + pad(ms, 3) + pick(r, ["", "9", "123456"]) : ""}`;
    case 2:
      return `${ymd}T${hms}${ms ? "." + pad(ms, 3) : ""}Z`;
    case 3: {
      const off = int(r, -12, 14) * 60 + pick(r, [0, 30]);
      const local = new Date(t + off * 60_000);
      const sign = off < 0 ? "-" : "+";
      const a = Math.abs(off);
      return local.toISOString().slice(0, 23) + sign + pad(Math.floor(a / 60)) + pick(r, [":", ""]) + pad(a % 60);
    }
    case 4:
      return ms === 0 && t % 1000 === 0 ? String(t / 1000) : String(t); // epoch seconds or ms
    case 5:
      return `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()} ${hms}`;
    case 6:
      return d.getUTCSeconds() === 0 && ms === 0 ? `${ymd} ${hms.slice(0, 5)}` : `${ymd}T${hms}`;
    default:
      return `${ymd}T${hms}`;
  }
}

/** One random file: mostly sound rows; `junk` is the chance a row is broken somehow. */
function randomCsv(r: Rand, rows: number, junk: number): string {
  const { header, delimiter, timeColumn } = layout(r);
  const eol = r() < 0.3 ? "\r\n" : "\n";
  const quotable = delimiter === "," && r() < 0.5;
  // A separate time column has no milliseconds.
  const step = pick(r, [60_000, 60_000, 60_000, 1000, 86_400_000, 300_000, timeColumn ? 2000 : 250, 3_600_000]);
  const dateOnly = step === 86_400_000 && r() < 0.5;
  // Formats without milliseconds only for steps of whole seconds, so times stay distinct.
  const formats = step % 1000 === 0 ? 8 : 4;
  const format = int(r, 0, formats);
  let t = step >= 86_400_000 || format === 4 || dateOnly
    ? Date.UTC(int(r, 1975, 2090), int(r, 0, 11), int(r, 1, 28))
    : Date.UTC(int(r, 1975, 2090), int(r, 0, 11), int(r, 1, 28), int(r, 0, 23), int(r, 0, 59));
  const lines = [(r() < 0.2 ? "\ufeff" : "") + header.join(delimiter)];
  for (let i = 0; i < rows; i++) {
    t += r() < 0.05 ? step * int(r, 2, 50) : step;
    const p = 10 ** (r() * 6);
    const prices = [0, 1, 2, 3].map(() => numberText(r, p * (1 + r() * 0.05), quotable));
    const values = prices.map((s) => Number(s.replaceAll('"', "").replaceAll(",", "")));
    const order = [0, 1, 2, 3].sort((a, b) => values[a] - values[b]);
    const [low, open, close, high] = r() < 0.5 ? order : [order[0], order[2], order[1], order[3]];
    const time = timeText(r, t, r() < 0.95 ? format : int(r, 0, formats), dateOnly || timeColumn);
    const cells = header.map((name) => {
      switch (name.toLowerCase()) {
        case "":
        case "date":
        case "timestamp":
        case "open_time":
          return time;
        case "time":
          return timeText(r, t, 0, false).slice(11, r() < 0.9 || t % 60_000 !== 0 ? 19 : 16);
        case "open":
          return prices[open];
        case "high":
          return prices[high];
        case "low":
          return prices[low];
        case "close":
          return prices[close];
        case "volume":
        case "vol":
          return r() < 0.7 ? String(int(r, 0, 1e9)) : numberText(r, r() * 1e6, quotable);
        case "note":
          return pick(r, ["", "ü€", "x", "\ufeffbom", "😀 note", quotable ? '"a,""b"""' : "plain"]);
        default:
          return numberText(r, p, quotable);
      }
    });
    if (r() < junk) {
      const k = r();
      if (k < 0.5) cells[int(r, 0, cells.length - 1)] = pick(r, JUNK);
      else if (k < 0.6) cells.pop();
      else if (k < 0.7) cells.push("1");
      else if (k < 0.75) t -= step * int(r, 0, 2); // duplicate or out of order next
      else if (k < 0.8) cells[0] = pick(r, ["2023-02-29", "2024-13-01", "2024-01-01 24:00", "1/1/24", "x", " "]);
      else if (k < 0.85) cells[int(r, 0, cells.length - 1)] = '"unclosed';
      else if (k < 0.9) cells[int(r, 0, cells.length - 1)] += '"x';
      else if (k < 0.95) cells[int(r, 0, cells.length - 1)] = "1e400";
      else cells[int(r, 0, cells.length - 1)] = "\u00a012.5"; // trimmed by Number()
    }
    if (r() < 0.02) lines.push(eol === "\n" && r() < 0.5 ? "\r" : "");
    if (r() < junk / 10) lines.push(pick(r, [" ", "\t", ","]));
    lines.push(cells.join(delimiter));
  }
  return lines.join(eol) + (r() < 0.8 ? eol : "");
}

type Outcome = { columns: Record<string, Uint8Array>; length: number } | { error: string };

async function outcome(read: typeof readCsvColumns, path: string, chunkBytes: number): Promise<Outcome> {
  try {
    const c = await read(path, "x.csv", { chunkBytes });
    const columns: Record<string, Uint8Array> = {};
    for (const k of ["ts", "open", "high", "low", "close", "volume"] as const) {
      columns[k] = new Uint8Array(c[k].buffer, c[k].byteOffset, c[k].byteLength);
    }
    return { columns, length: c.length };
  } catch (e) {
    const err = e as Error & { line?: number; column?: string };
    return { error: `${err.name}|${err.message}|${err.line}|${err.column}` };
  }
}

Deno.test("csv_read: random files read bit-identically to the string reader, errors name the same place", async () => {
  const r = rng(15);
  const dir = await Deno.makeTempDir();
  let valid = 0, errors = 0, rowsRead = 0;
  try {
    for (let file = 0; file < 400; file++) {
      const junk = r() < 0.5 ? 0 : pick(r, [0.002, 0.02, 0.1]);
      const text = randomCsv(r, int(r, 1, 400), junk);
      const path = `${dir}/f${file}.csv`;
      await Deno.writeTextFile(path, text);
      const chunkBytes = pick(r, [7, 64, 1000, 4096, 1 << 20]);
      const want = await outcome(stringReader, path, chunkBytes);
      const got = await outcome(readCsvColumns, path, pick(r, [5, 97, 4096, 1 << 20]));
      assert.deepEqual(got, want, `file ${file}:\n${text.slice(0, 2000)}`);
      if ("error" in want) errors++;
      else {
        valid++;
        rowsRead += want.length;
      }
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  // Both outcomes are well represented, so the comparison tested something.
  assert.ok(valid > 100 && errors > 50 && rowsRead > 20_000, `${valid} valid, ${errors} errors, ${rowsRead} rows`);
  if (Deno.env.get("SHOW")) console.log(`${valid} valid, ${errors} errors, ${rowsRead} rows`);
});

Deno.test("csv_read: a file whose first lines are long outgrows the estimated capacity and reads the same", async () => {
  const lines = ["date,open,high,low,close,volume,note"];
  for (let i = 0; i < 6000; i++) {
    const t = new Date(Date.UTC(2021, 0, 1) + i * 60_000).toISOString().slice(0, 19);
    lines.push(
      `${t},${100 + i % 7},${110 + i % 7},${90 + i % 7},${100 + i % 5},${i},${i < 100 ? "x".repeat(500) : ""}`,
    );
  }
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/x.csv`, lines.join("\n"));
    for (const chunkBytes of [4096, 1 << 16]) {
      const got = await outcome(readCsvColumns, `${dir}/x.csv`, chunkBytes);
      assert.deepEqual(got, await outcome(stringReader, `${dir}/x.csv`, chunkBytes));
      assert.equal("length" in got && got.length, 6000);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("loadBars: the alignment warning counts exactly the times `%` finds off the timeframe", () => {
  const r = rng(7);
  const steps: Record<string, number> = {
    "3m": 180_000,
    "1m": 60_000,
    "5m": 300_000,
    "1h": 3_600_000,
    "4h": 14_400_000,
  };
  let warned = 0;
  for (let round = 0; round < 300; round++) {
    const tf = pick(r, Object.keys(steps)) as "3m" | "1m" | "5m" | "1h" | "4h";
    const step = steps[tf];
    // Small (epoch seconds), ordinary, and large epoch ms on both sides of 2^52, where the check switches to `%`.
    const base = pick(r, [0, Date.UTC(int(r, 1971, 2200), 0, 1), 4.5e15, 4.6e15]);
    let t = base - (base % step);
    const offRate = r() < 0.5 ? 0 : 0.05;
    const lines = ["timestamp,open,high,low,close"];
    for (let i = 0; i < 50; i++) {
      t += step * int(r, 1, 3) + (r() < offRate ? pick(r, [1, step - 1, step / 2, 999]) : 0);
      lines.push(`${t},1,1,1,1`);
    }
    const { series, warnings } = parseBars(lines.join("\n"), "x.csv", { timeframe: tf });
    let off = 0;
    for (const ts of series.ts) if (ts % step !== 0) off++;
    const expected = off === 0 ? [] : [`${off} of 50 bar times are not multiples of ${tf}`];
    assert.deepEqual(warnings.filter((w) => w.includes("multiples")), expected);
    if (off > 0) warned++;
  }
  assert.ok(warned > 50 && warned < 250, `${warned} of 300 warned`);
});
