/**
 * The report of a long run: CPU ms of computeStats and of writeReport (report.json, trades.csv, equity.csv,
 * report.html) for an SMA-cross backtest over `n` minute bars (default 1M), best of `reps`. CPU time (user + system,
 * all threads), not wall time: the machine is shared. Run: deno run -A bench/report_bench.ts [n] [reps]
 */
import process from "node:process";
import { runBacktest } from "../backtest/engine.ts";
import { computeStats, writeReport } from "../backtest/report/mod.ts";
import { syntheticSeries } from "./backtest_bench.ts";
import { printRow } from "./row.ts";

const SMA_CROSS = new URL("../strategies/sma_cross/strategy.ts", import.meta.url).href;

export async function reportBench(n: number, reps: number): Promise<void> {
  const series = await syntheticSeries("SYN", n, 1);
  const run = await runBacktest({
    strategies: [{ id: "s1", module: SMA_CROSS, params: { fast: 10, slow: 30 } }],
    data: [series],
    cash: 10_000,
  });
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const dir = await Deno.makeTempDir();
  let stats = Infinity, write = Infinity;
  try {
    for (let k = 0; k < reps; k++) {
      let t = cpu();
      const report = computeStats(run.input, { warmupBars: run.warmupBars });
      stats = Math.min(stats, cpu() - t);
      t = cpu();
      await writeReport(dir, report, run.input, run.ohlc);
      write = Math.min(write, cpu() - t);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const details = { bars: n, trades: run.input.trades.length, reps };
  printRow({ bench: "report_compute_stats_cpu", unit: "ms", value: Math.round(stats), ...details });
  printRow({ bench: "report_write_report_cpu", unit: "ms", value: Math.round(write), ...details });
}

if (import.meta.main) await reportBench(Number(Deno.args[0] ?? 1_000_000), Number(Deno.args[1] ?? 5));
