/**
 * Writes an N-bar CSV of 1-minute bars made from GOOG's daily bars repeated: each bar takes the next GOOG row's
 * open/high/low/close as ratios to its previous close, so the walk has GOOG's real moves in order, cycling.
 * `deno run -A bench/gen_bars.ts N OUT.csv`. Streamed to disk in chunks: the generator itself stays small.
 */
import { loadBars } from "../storage/bars/mod.ts";

const GOOG = new URL("../examples/data/GOOG.csv", import.meta.url);

/** Writes `n` bars to `path` (backtesting.py's `,Open,High,Low,Close,Volume` layout, ISO minute times). */
export async function writeBarsCsv(path: string, n: number): Promise<void> {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`bar count must be a positive integer, got ${n}`);
  const { series: g } = await loadBars(GOOG, { symbol: "GOOG" });
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const enc = new TextEncoder();
  try {
    let chunk = ",Open,High,Low,Close,Volume\n";
    let price = 100;
    const t0 = Date.UTC(2020, 0, 1);
    for (let i = 0; i < n; i++) {
      // Rows 1..len-1 cycle; each reuses GOOG's bar relative to its previous close, re-anchored at `price`, and is
      // de-trended by the cycle's total so a million bars neither explode nor vanish.
      const j = 1 + (i % (g.length - 1));
      const scale = price / g.close[j - 1];
      const open = round(g.open[j] * scale), close = round(g.close[j] * scale);
      const high = Math.max(round(g.high[j] * scale), open, close),
        low = Math.min(round(g.low[j] * scale), open, close);
      chunk += `${new Date(t0 + i * 60_000).toISOString().slice(0, 19)},${open},${high},${low},${close},${
        g.volume[j]
      }\n`;
      price = j === g.length - 1 ? 100 : close;
      if (chunk.length > 1 << 20) {
        await writeAll(file, enc.encode(chunk));
        chunk = "";
      }
    }
    await writeAll(file, enc.encode(chunk));
  } finally {
    file.close();
  }
}

function round(x: number): number {
  return Math.round(x * 10_000) / 10_000;
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
}

if (import.meta.main) {
  const [count, out] = Deno.args;
  if (!count || !out) {
    console.error("usage: deno run -A bench/gen_bars.ts N OUT.csv");
    Deno.exit(2);
  }
  await writeBarsCsv(out, Number(count.replaceAll("_", "")));
}
