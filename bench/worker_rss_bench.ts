/**
 * What the daemon costs in memory per strategy: the paper daemon (journal, durable paper venue, lockstep replay) with
 * 1, 10 and 50 sma_cross strategies, each in its own Worker, replaying the same synthetic bars; peak RSS of the whole
 * process (every Worker's isolate is in it), sampled four times a second, and RSS at the end of the replay.
 *   {"bench":"live_rss_10_strategies","unit":"MB","value":peak,"strategies":10,"bars":...,"end_rss_mb":...,
 *    "per_strategy_mb":...}
 * `per_strategy_mb` is (peak − the 1-strategy peak) / (strategies − 1): what one more strategy Worker adds.
 * Each count runs in a child process of its own, so one run's heap does not inflate the next.
 * Where it goes (10 strategies, 10,000 bars, peak ~310 MB): the deno binary's mapped code ~60-75 MB; V8 heaps ~120-
 * 145 MB over 17 isolates (main ~16-20, each strategy ~5-7, exchange ~18, journal/risk ~10); malloc ~70 MB (each
 * isolate's native side, serialized messages). An idle Worker costs ~9 MB (Deno's runtime per isolate); a strategy
 * adds ~2 MB of per-bar snapshot garbage (its history columns, 24 KB a bar) until its heap collects.
 * Run: deno run -A bench/worker_rss_bench.ts [bars] [counts, e.g. 1,10,50]
 */
import { join } from "node:path";
import { resolveLiveConfig } from "../actors/system/live_config.ts";
import { runDaemon } from "../actors/system/daemon.ts";
import { DAEMON_V8_FLAGS } from "../actors/system/daemon_command.ts";
import { printRow } from "./row.ts";

const T0 = Date.UTC(2020, 0, 1);
const MINUTE = 60_000;

/** A seeded random walk of `n` minute bars: deterministic, and choppy enough that the crossovers trade. */
export function walkCsv(n: number, seed = 7): string {
  let s = seed >>> 0;
  const rand = () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const lines = ["date,open,high,low,close,volume"];
  let price = 100;
  for (let i = 0; i < n; i++) {
    const open = price;
    // Mean-reverting around 100 so a long run stays in range.
    price = Math.max(1, price * Math.exp((rand() - 0.5) * 0.02 + (100 - price) * 0.0005));
    const r = (x: number) => Math.round(x * 100) / 100;
    const high = Math.max(open, price) * (1 + rand() * 0.003);
    const low = Math.min(open, price) * (1 - rand() * 0.003);
    lines.push(`${T0 + i * MINUTE},${r(open)},${r(high)},${r(low)},${r(price)},${1000 + Math.floor(rand() * 1000)}`);
  }
  return lines.join("\n") + "\n";
}

/** One daemon run in this process: peak and end RSS in MB. */
async function measure(strategies: number, bars: number) {
  const dir = await Deno.makeTempDir({ prefix: "worker-rss-" });
  const csv = join(dir, "walk.csv");
  await Deno.writeTextFile(csv, walkCsv(bars));
  const config = await resolveLiveConfig({
    dataDir: dir,
    control: { port: 0 },
    venue: { type: "paper", initialCash: 10_000 * strategies, commission: 0.001 },
    feed: { type: "replay", sources: [{ file: csv, symbol: "X" }] },
    strategies: Array.from({ length: strategies }, (_, i) => ({
      id: `ma${i}`,
      strategy: "sma_cross",
      params: { fast: 5 + (i % 10), slow: 20 + 2 * (i % 10) },
      capital: 10_000,
    })),
    statusEveryMs: 0,
    exitAtEnd: true,
  }, { env: () => undefined });
  const rss = () => Deno.memoryUsage().rss / 2 ** 20;
  let peak = rss();
  const timer = setInterval(() => peak = Math.max(peak, rss()), 250);
  const started = performance.now();
  const code = await runDaemon(config, { logSink: () => {} });
  clearInterval(timer);
  const end = rss();
  peak = Math.max(peak, end);
  const result = JSON.parse(await Deno.readTextFile(join(dir, "result.json")));
  await Deno.remove(dir, { recursive: true });
  return { code, peak, end, s: (performance.now() - started) / 1000, fills: result.fills.length as number };
}

async function main() {
  const bars = Number(Deno.args[0] ?? 2_000);
  const counts = (Deno.args[1] ?? "1,10,50").split(",").map(Number);
  if (Deno.args[2] === "--one") {
    console.log(JSON.stringify(await measure(counts[0], bars)));
    Deno.exit(0); // the daemon may leave an idle timer behind
  }
  let base: number | undefined;
  for (const n of counts) {
    const out = await new Deno.Command(Deno.execPath(), {
      // The V8 flags the watchdog gives the daemon child: this measures the daemon as it runs.
      args: ["run", "-A", `--v8-flags=${DAEMON_V8_FLAGS.join(",")}`, new URL(import.meta.url).pathname, ...[
        String(bars),
        String(n),
        "--one",
      ]],
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) throw new Error(`worker_rss: the run with ${n} strategies exited with ${out.code}`);
    const m = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").pop()!);
    if (n === 1) base = m.peak;
    printRow({
      bench: `live_rss_${n}_strateg${n === 1 ? "y" : "ies"}`,
      unit: "MB",
      value: Math.round(m.peak),
      statistic: "peak RSS",
      strategies: n,
      bars,
      end_rss_mb: Math.round(m.end),
      fills: m.fills,
      s: Math.round(m.s),
      ...(base !== undefined && n > 1 ? { per_strategy_mb: Math.round((m.peak - base) / (n - 1) * 10) / 10 } : {}),
      exitCode: m.code,
    });
  }
}

if (import.meta.main) await main();
