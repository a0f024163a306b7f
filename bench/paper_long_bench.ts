/**
 * The paper daemon over a long replay: 10 strategies (sma_cross, different periods) on one symbol, lockstep, with
 * the real journal and the durable paper venue, all Workers in this process. The bars are GOOG's daily moves chained
 * over and over into one long 1-minute series. A sampler reads the journal four times a second; the line compares
 * the start of the run (bars 5-10 %) with its end (bars 90-99 %): bars/s, journal rows/s, CPU time per bar (every
 * thread; steadier than wall time on a shared machine) and RSS.
 *   {"bench":"live_paper_long","strategies":10,"bars":...,"start_bars_per_s":...,"end_bars_per_s":...,
 *    "start_rss_mb":...,"end_rss_mb":...,"end_vs_start":...}
 * Run: deno run -A bench/paper_long_bench.ts [bars] */
import { DatabaseSync } from "node:sqlite";
import { cpuUsage } from "node:process";
import { join } from "node:path";
import { resolveLiveConfig } from "../actors/system/live_config.ts";
import { runDaemon } from "../actors/system/daemon.ts";
import { loadBars } from "../storage/bars/mod.ts";
import { printRow } from "./row.ts";

// 100,000 bars take about 6 minutes on the 2-core reference box (~280 bars/s in lockstep); 60,000 keep the whole
// bench within 5 minutes. Pass 100000 for the full count.
const BARS = Number(Deno.args[0] ?? 60_000);
const STRATEGIES = 10;
const GOOG = "/work/shared/data/backtesting_py/GOOG.csv";
const T0 = Date.UTC(2020, 0, 1);
const MINUTE = 60_000;

/**
 * GOOG's bar-to-bar moves (each bar relative to the close before it) chained into `n` minute bars, detrended so that
 * every pass over the file ends where it started: the price stays in GOOG's range and the strategies keep trading.
 */
async function longSeries(n: number): Promise<string> {
  const { series: s } = await loadBars(GOOG, { symbol: "GOOG" });
  let drift = 0;
  for (let j = 1; j < s.length; j++) drift += Math.log(s.close[j] / s.close[j - 1]);
  drift /= s.length - 1;
  const lines = ["date,open,high,low,close,volume"];
  let prev = s.close[0];
  for (let i = 0; i < n; i++) {
    const j = 1 + (i % (s.length - 1));
    const k = prev / s.close[j - 1] * Math.exp(-drift);
    const at = (x: number) => Math.round(x * k * 100) / 100;
    const [open, close] = [at(s.open[j]), at(s.close[j])];
    const high = Math.max(at(s.high[j]), open, close);
    const low = Math.min(at(s.low[j]), open, close);
    lines.push(`${T0 + i * MINUTE},${open},${high},${low},${close},${s.volume[j]}`);
    prev = close;
  }
  return lines.join("\n") + "\n";
}

interface Sample {
  readonly ms: number;
  readonly bars: number;
  readonly rows: number;
  readonly rssMb: number;
  /** CPU time of every thread (the Workers too), ms: steadier than wall time on a shared machine. */
  readonly cpuMs: number;
}

const cpuMs = () => {
  const { user, system } = cpuUsage();
  return (user + system) / 1000;
};

/** Rows so far and bars so far (from the time of the last journaled bar). */
function sample(db: DatabaseSync, started: number): Sample {
  const rows = Number((db.prepare("SELECT MAX(seq) AS n FROM journal_events").get() as { n: number | null }).n ?? 0);
  const bar = db.prepare("SELECT ts FROM journal_events WHERE type = 'Bar' ORDER BY seq DESC LIMIT 1").get() as
    | { ts: number }
    | undefined;
  const bars = bar ? (Number(bar.ts) - T0) / MINUTE + 1 : 0;
  return { ms: performance.now() - started, bars, rows, rssMb: Deno.memoryUsage().rss / 2 ** 20, cpuMs: cpuMs() };
}

/** Rates between the samples nearest the `from` and `to` bar counts, and RSS at `to`. */
function window(samples: readonly Sample[], from: number, to: number) {
  const last = samples.length - 1;
  const i = Math.max(0, samples.findIndex((s) => s.bars >= from));
  const j = Math.max(i + 1, samples.findIndex((s) => s.bars >= to));
  const a = samples[Math.min(i, last - 1)];
  const b = samples[Math.min(j, last)];
  const seconds = (b.ms - a.ms) / 1000;
  return {
    bars_per_s: Math.round((b.bars - a.bars) / seconds),
    rows_per_s: Math.round((b.rows - a.rows) / seconds),
    cpu_us_per_bar: Math.round((b.cpuMs - a.cpuMs) / (b.bars - a.bars) * 1000),
    rss_mb: Math.round(b.rssMb),
  };
}

const dir = await Deno.makeTempDir({ prefix: "paper-long-" });
const csv = join(dir, "long.csv");
await Deno.writeTextFile(csv, await longSeries(BARS));
const config = await resolveLiveConfig({
  dataDir: dir,
  control: { port: 0 },
  venue: { type: "paper", initialCash: 10_000 * STRATEGIES, commission: 0.002 },
  feed: { type: "replay", sources: [{ file: csv, symbol: "GOOG" }] },
  strategies: Array.from({ length: STRATEGIES }, (_, i) => ({
    id: `ma${i}`,
    strategy: "sma_cross",
    params: { fast: 5 + i, slow: 20 + 2 * i },
    capital: 10_000,
  })),
  statusEveryMs: 0,
  exitAtEnd: true,
}, { env: () => undefined });

const started = performance.now();
const samples: Sample[] = [{ ms: 0, bars: 0, rows: 0, rssMb: Deno.memoryUsage().rss / 2 ** 20, cpuMs: cpuMs() }];
let db: DatabaseSync | undefined;
const timer = setInterval(() => {
  try {
    db ??= new DatabaseSync(join(dir, "journal.sqlite"), { readOnly: true });
    samples.push(sample(db, started));
  } catch {
    // the journal does not exist yet
  }
}, 250);
const code = await runDaemon(config, { logSink: () => {} });
clearInterval(timer);
db?.close();
const elapsed = performance.now() - started;
const result = JSON.parse(await Deno.readTextFile(join(dir, "result.json")));
// Start: bars 5-10 % (the first 5 % hold the Workers' start and the JIT warm-up). End: bars 90-99 % (after the last
// bar the daemon reads the whole journal for result.json, which is not the steady state).
const start = window(samples, Math.floor(BARS * 0.05), Math.floor(BARS * 0.1));
const end = window(samples, Math.floor(BARS * 0.9), Math.floor(BARS * 0.99));
const flat = (prefix: string, w: Record<string, number>) =>
  Object.fromEntries(Object.entries(w).map(([k, v]) => [`${prefix}_${k}`, v]));
printRow({
  bench: "paper_long_replay",
  unit: "bars/s",
  value: Math.round(BARS / (elapsed / 1000)),
  exitCode: code,
  strategies: STRATEGIES,
  bars: BARS,
  fills: result.fills.length,
  s: Math.round(elapsed / 1000),
  bars_per_s: Math.round(BARS / (elapsed / 1000)),
  ...flat("start", start),
  ...flat("end", end),
  end_vs_start: Math.round(end.bars_per_s / start.bars_per_s * 100) / 100,
  ...(BARS < 100_000 ? { note: "100k bars take ~6 min here (~280 bars/s); pass 100000 for the full count" } : {}),
});
await Deno.remove(dir, { recursive: true });
Deno.exit(0); // the daemon leaves a 30 s idle timer behind
