/**
 * Live-path latency and replay throughput, as JSON lines:
 * - live_bar_to_order: a bar leaving the venue adapter → the order it causes arriving back at the adapter, through
 *   the real risk guardian and strategy supervisor, each in its own Worker (lockstep: one bar in flight);
 * - live_paper_replay: the whole paper daemon (journal, durable paper venue, SQLite) replaying GOOG daily bars.
 * Run: deno run -A bench/live_bench.ts [bars]
 */
import { createWorkerHost } from "../actors/runtime/mod.ts";
import { resolveLiveConfig } from "../actors/system/live_config.ts";
import { runDaemon } from "../actors/system/daemon.ts";
import { barToOrderTree } from "./fixtures/bar_to_order_tree.ts";

const N = Number(Deno.args[0] ?? 2_000);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function barToOrder(): Promise<void> {
  const host = createWorkerHost({ logSink: () => {} });
  await host.start(barToOrderTree());
  // Warm up the JITs and Worker channels; those bars are left out of the figures.
  await host.ask("b/exchange", { type: "Run", n: 300 }, 60_000);
  const started = performance.now();
  const reply = await host.ask<{ type: string; us: number[] }>("b/exchange", { type: "Run", n: N }, 120_000);
  const elapsed = performance.now() - started;
  await host.stop();
  const us = reply.us.slice(300).sort((a, b) => a - b);
  console.log(JSON.stringify({
    bench: "live_bar_to_order",
    unit: "us",
    value: Math.round(percentile(us, 0.5)),
    statistic: "p50",
    hops: 4,
    n: us.length,
    p50_us: Math.round(percentile(us, 0.5)),
    p99_us: Math.round(percentile(us, 0.99)),
    max_us: Math.round(us[us.length - 1]),
    bars_per_s: Math.round(N / (elapsed / 1000)),
  }));
}

async function paperReplay(): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "live-bench-" });
  const config = await resolveLiveConfig({
    dataDir: dir,
    control: { port: 0 },
    venue: { type: "paper", initialCash: 10_000, commission: 0.002 },
    feed: { type: "replay", sources: [{ file: "/work/shared/data/backtesting_py/GOOG.csv", symbol: "GOOG" }] },
    strategies: [{ id: "ma", strategy: "sma_cross", params: { fast: 10, slow: 20 } }],
    statusEveryMs: 0,
    exitAtEnd: true,
  }, { env: () => undefined });
  const started = performance.now();
  const code = await runDaemon(config, { logSink: () => {} });
  const elapsed = performance.now() - started;
  const result = JSON.parse(await Deno.readTextFile(`${dir}/result.json`));
  console.log(JSON.stringify({
    bench: "live_paper_replay",
    unit: "bars/s",
    value: Math.round(2148 / (elapsed / 1000)),
    exitCode: code,
    bars: 2148,
    fills: result.fills.length,
    ms: Math.round(elapsed),
    bars_per_s: Math.round(2148 / (elapsed / 1000)),
  }));
  await Deno.remove(dir, { recursive: true });
}

await barToOrder();
await paperReplay();
