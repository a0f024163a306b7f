/**
 * CSV parsing throughput: GOOG.csv's rows repeated to ~1M, re-dated one day apart so they stay valid and ordered.
 * Prints one JSON line (bench/row.ts). Run: deno run -A bench/data_bench.ts
 */
import { parseCsv } from "../storage/bars/mod.ts";
import { printRow } from "./row.ts";

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
