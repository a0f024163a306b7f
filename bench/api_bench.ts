/**
 * Control API latency under load, as a JSON line:
 * - api_positions_under_load: 100 concurrent HTTP clients GET /api/v1/positions in a loop while the paper tree (each
 *   actor in its Worker, the control endpoint and its tap on the main thread) replays GOOG daily bars, paced so the
 *   replay runs through the whole measurement. p50/p99 latency of the answers, and the replay's pace meanwhile.
 * The per-client rate limit is lifted here: 100 clients from one address would otherwise measure the 429 path.
 * Run: deno run -A bench/api_bench.ts [requests per client]
 */
import { createWorkerHost } from "../actors/runtime/mod.ts";
import { resolveLiveConfig } from "../actors/system/live_config.ts";
import { buildLiveTree, PATHS } from "../actors/system/live_tree.ts";
import { startControlServer } from "../actors/gateway/server.ts";

const CLIENTS = 100;
const PER_CLIENT = Number(Deno.args[0] ?? 30);
const TOKEN = "bench-token-0123456789abcdef";

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const dir = await Deno.makeTempDir({ prefix: "api-bench-" });
const config = await resolveLiveConfig({
  dataDir: dir,
  control: { port: 0 },
  venue: { type: "paper", initialCash: 10_000, commission: 0.002 },
  // One daily bar every 5 ms: about 11 s of replay.
  feed: {
    type: "replay",
    sources: [{ file: "/work/shared/data/backtesting_py/GOOG.csv", symbol: "GOOG" }],
    speed: 86_400_000 / 5,
  },
  strategies: [{ id: "ma", strategy: "sma_cross", params: { fast: 10, slow: 20 } }],
  statusEveryMs: 0,
  exitAtEnd: false,
}, { env: () => undefined });

const host = createWorkerHost({ logSink: () => {} });
let feedDone = false;
host.subscribe((e) => {
  if (e.type === "exited" && e.path === PATHS.feed) feedDone = true;
});
await host.start(buildLiveTree(config));
const server = startControlServer({
  host,
  hostname: "127.0.0.1",
  port: 0,
  paths: { risk: PATHS.risk, portfolio: PATHS.portfolio, exchange: PATHS.exchange, journal: PATHS.journal },
  tokens: { admin: TOKEN },
  limits: { rate: { burst: 1e9, perSecond: 1e9 } },
  logSink: () => {},
});
const barsSeen = async () => {
  const state = await host.ask<{ type: string; lastBar?: { ts: number } }>(PATHS.exchange, {
    type: "GetAdapterState",
  }, 5_000);
  return state.lastBar?.ts ?? 0;
};
// Let the replay get going before the clients start.
while ((await barsSeen()) === 0) await new Promise((r) => setTimeout(r, 50));

/** The replay's progress over `ms` of wall time, in days of data. */
const progress = async (during: () => Promise<void>) => {
  const from = await barsSeen();
  const t0 = performance.now();
  await during();
  return { days: ((await barsSeen()) - from) / 86_400_000, ms: performance.now() - t0 };
};

const load = new Worker(new URL("./fixtures/http_load_worker.ts", import.meta.url).href, { type: "module" });
let ms: number[] = [];
let failures = 0;
const loaded = await progress(async () => {
  const done = new Promise<{ ms: number[]; failures: number }>((resolve) => (load.onmessage = (e) => resolve(e.data)));
  load.postMessage({
    url: `${server.url}/api/v1/positions`,
    headers: { authorization: `Bearer ${TOKEN}` },
    clients: CLIENTS,
    perClient: PER_CLIENT,
  });
  ({ ms, failures } = await done);
});
load.terminate();
// The same stretch of replay without clients: how much the load slowed it.
const quiet = await progress(() => new Promise((r) => setTimeout(r, loaded.ms)));
const elapsed = loaded.ms;
ms.sort((a, b) => a - b);
console.log(JSON.stringify({
  bench: "api_positions_under_load",
  unit: "ms",
  value: Number(percentile(ms, 0.5).toFixed(2)),
  statistic: "p50",
  clients: CLIENTS,
  requests: ms.length,
  failures,
  p50_ms: Number(percentile(ms, 0.5).toFixed(2)),
  p99_ms: Number(percentile(ms, 0.99).toFixed(2)),
  max_ms: Number(ms[ms.length - 1].toFixed(2)),
  requests_per_s: Math.round(ms.length / (elapsed / 1000)),
  // The replay's pace (days of data per second) under the load and right after it without: the paced maximum is 200.
  replay_days_per_s_loaded: Math.round(loaded.days / (loaded.ms / 1000)),
  replay_days_per_s_quiet: Math.round(quiet.days / (quiet.ms / 1000)),
  replay_still_running: !feedDone,
}));
await server.close();
await host.stop();
await Deno.remove(dir, { recursive: true });
