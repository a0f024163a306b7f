/**
 * The Redis hop of the remote host (actors/runtime/redis_host.ts), as JSON lines; needs Redis (TRADEACTOR_REDIS_URL,
 * default 127.0.0.1:6379) and says so on stderr, printing nothing, when it is unreachable:
 * - redis_bar_to_order: bar leaving the venue adapter → the order it causes arriving back, with the strategy
 *   supervisor remote (its mailbox a Redis stream, served by a remote host in this process on its own connections)
 *   and the risk guardian and adapter in Workers (lockstep: one bar in flight; two hops cross Redis);
 * - redis_host_messages: one-way messages/s from the core into a remote actor (stream → handler → commit).
 * Run: deno run -A bench/redis_bench.ts [bars] [messages]
 */
import { createLogger, createWorkerHost } from "../actors/runtime/mod.ts";
import { createRedisHost } from "../actors/runtime/redis_host.ts";
import { createRedisLink } from "../actors/runtime/redis_link.ts";
import { parseBusUrl } from "../actors/runtime/bus_url.ts";
import { Redis } from "ioredis";
import { printRow } from "./row.ts";
import { barToOrderTree } from "./fixtures/bar_to_order_tree.ts";

const BARS = Number(Deno.args[0] ?? 1_000);
const MESSAGES = Number(Deno.args[1] ?? 20_000);
const WARMUP = 100;
const REDIS_URL = Deno.env.get("TRADEACTOR_REDIS_URL") ?? "redis://127.0.0.1:6379";
const url = (path: string) => new URL(path, import.meta.url).href;
const quiet = createLogger(() => {}, "bench", Date.now, "error");

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function reachable(): Promise<boolean> {
  const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

/** A core (Worker host + link) and a remote host on a bus of its own; `remote` says which paths are on the bus. */
async function setup(tag: string, remote: (path: string) => boolean) {
  const name = `bench-${tag}-${crypto.randomUUID().slice(0, 8)}`;
  const bus = `${REDIS_URL}/?name=${name}`;
  const host = createRedisHost({ bus, logSink: () => {} });
  await host.start();
  const link = await createRedisLink({ bus, remote, log: quiet });
  const core = createWorkerHost({ logSink: () => {}, remote: link });
  return {
    core,
    async close() {
      await core.stop();
      await host.stop();
      const redis = new Redis(parseBusUrl(bus).url);
      const keys = await redis.keys(`ta:{${name}}:*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    },
  };
}

async function barToOrder(): Promise<void> {
  const { core, close } = await setup("b2o", (path) => path === "b/strategy");
  try {
    await core.start(barToOrderTree());
    await core.ask("b/exchange", { type: "Run", n: WARMUP }, 60_000);
    const started = performance.now();
    const reply = await core.ask<{ type: string; us: number[] }>("b/exchange", { type: "Run", n: BARS }, 300_000);
    const elapsed = performance.now() - started;
    const us = reply.us.slice(WARMUP).sort((a, b) => a - b);
    printRow({
      bench: "redis_bar_to_order",
      unit: "us",
      value: Math.round(percentile(us, 0.5)),
      statistic: "p50",
      redis_hops: 2,
      n: us.length,
      p50_us: Math.round(percentile(us, 0.5)),
      p99_us: Math.round(percentile(us, 0.99)),
      max_us: Math.round(us[us.length - 1]),
      bars_per_s: Math.round(BARS / (elapsed / 1000)),
    });
  } finally {
    await close();
  }
}

async function messages(): Promise<void> {
  const { core, close } = await setup("msgs", (path) => path === "m/sink");
  try {
    await core.start({
      kind: "supervisor",
      id: "m",
      strategy: "one_for_one",
      children: [{ kind: "actor", id: "sink", module: url("./fixtures/remote_sink.ts"), export: "sink" }],
    });
    const started = performance.now();
    for (let n = 0; n < MESSAGES; n++) core.tell("m/sink", { type: "Item", n });
    // FIFO from one sender: the answer comes after every Item was handled and committed.
    const reply = await core.ask<{ type: string; count: number }>("m/sink", { type: "Count" }, 300_000);
    const elapsed = performance.now() - started;
    if (reply.count !== MESSAGES) throw new Error(`the remote actor counted ${reply.count} of ${MESSAGES}`);
    printRow({
      bench: "redis_host_messages",
      unit: "messages/s",
      value: Math.round(MESSAGES / (elapsed / 1000)),
      messages: MESSAGES,
      ms: Math.round(elapsed),
    });
  } finally {
    await close();
  }
}

if (await reachable()) {
  await barToOrder();
  await messages();
} else {
  console.error(`bench redis: skipped, Redis unreachable at ${REDIS_URL}`);
}
