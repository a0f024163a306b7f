/**
 * CSV parsing throughput: GOOG.csv's rows repeated to ~1M, re-dated one day apart so they stay valid and ordered.
 * Two lines (bench/row.ts): the text parser (`parseCsv`), and `loadBars` on the CLI bench's 1M-minute-bar file
 * (bench/gen_bars.ts): the byte reader and checks `deno task backtest --data` runs (best of three). Run:
 * deno run -A bench/data_bench.ts
 */
import { loadBars, parseCsv } from "../storage/bars/mod.ts";
import { printRow } from "./row.ts";
import { writeBarsCsv } from "./gen_bars.ts";

const TARGET_ROWS = 1_000_000;
const source = await Deno.readTextFile(new URL("../../shared/data/backtesting_py/GOOG.csv", import.meta.url));
const rows = source.trim().split("\n").slice(1).map((line) => line.slice(line.indexOf(",")));
const start = Date.UTC(2000, 0, 1);
const lines = [",Open,High,Low,Close,Volume"];
for (let i = 0; i < TARGET_ROWS; i++) {
  lines.push(new Date(start + i * 86_400_000).toISOString().slice(0, 10) + rows[i % rows.length]);
}
const text = lines.join("\n") + "\n";

parseCsv(text, { symbol: "GOOG", timeframe: "1d" }); // warm-up: let the JIT compile the parser
const t0 = performance.now();
const series = parseCsv(text, { symbol: "GOOG", timeframe: "1d" });
const seconds = (performance.now() - t0) / 1000;
printRow({
  bench: "data_csv_parse",
  unit: "rows/s",
  value: Math.round(series.length / seconds),
  rows: series.length,
  mb: Math.round(text.length / 1e5) / 10,
  seconds: Math.round(seconds * 1000) / 1000,
});

const dir = await Deno.makeTempDir({ prefix: "data_bench_" });
try {
  const path = `${dir}/bars.csv`;
  await writeBarsCsv(path, TARGET_ROWS);
  let best = Infinity, rowsLoaded = 0;
  for (let r = 0; r < 4; r++) { // the first round warms the JIT up
    const t = performance.now();
    rowsLoaded = (await loadBars(path)).series.length;
    if (r > 0) best = Math.min(best, performance.now() - t);
  }
  printRow({
    bench: "data_csv_load_file",
    unit: "rows/s",
    value: Math.round(rowsLoaded / (best / 1000)),
    rows: rowsLoaded,
    seconds: Math.round(best) / 1000,
  });
} finally {
  await Deno.remove(dir, { recursive: true });
}
