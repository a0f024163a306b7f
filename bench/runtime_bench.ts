/** Runtime figures: messages/s in-process and across Workers, one-hop latency, crash-to-restart time. */
import {
  type ActorSpec,
  createInProcessHost,
  createWorkerHost,
  type Host,
  simulatedClock,
  type SupervisorSpec,
} from "../actors/runtime/mod.ts";

import { type BenchRow, printRow } from "./row.ts";

const MODULE = new URL("./runtime_actors.ts", import.meta.url).href;
const FIXTURES = new URL("../tests/actors/runtime/fixtures/actors.ts", import.meta.url).href;
const actor = (id: string, exportName: string, module = MODULE): ActorSpec => ({
  kind: "actor",
  id,
  module,
  export: exportName,
  mailbox: { capacity: 10_000_000, overflow: "reject" },
});
const tree = (...children: ActorSpec[]): SupervisorSpec => ({
  kind: "supervisor",
  id: "root",
  strategy: "one_for_one",
  intensity: { maxRestarts: 1_000, withinMs: 1_000 },
  children,
});

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function throughput(host: Host, n: number, drain?: () => void): Promise<number> {
  const done = host.ask("root/sink", { type: "Expect", n }, 120_000);
  drain?.();
  const start = performance.now();
  host.tell("root/blaster", { type: "Blast", to: "root/sink", n });
  drain?.();
  await done;
  return n / ((performance.now() - start) / 1000);
}

export async function runtimeBench(emit: (row: BenchRow) => void): Promise<void> {
  {
    const host = createInProcessHost({ clock: simulatedClock(0), logSink: () => {}, strictMessages: false });
    await host.start(tree(actor("blaster", "blaster"), actor("sink", "sink")));
    await throughput(host, 200_000, host.drain); // warm-up
    const rate = await throughput(host, 5_000_000, host.drain);
    emit({ bench: "runtime_in_process", unit: "messages/s", value: Math.round(rate) });
    await host.stop();
  }
  {
    const host = createWorkerHost({ logSink: () => {} });
    await host.start(tree(actor("blaster", "blaster"), actor("sink", "sink")));
    await throughput(host, 100_000);
    const rate = await throughput(host, 1_000_000);
    emit({ bench: "runtime_across_workers", unit: "messages/s", value: Math.round(rate) });

    await host.stop();
  }
  {
    const host = createWorkerHost({ logSink: () => {} });
    await host.start(tree(actor("a", "pinger"), actor("b", "pinger")));
    await host.ask("root/a", { type: "Start", peer: "root/b", rounds: 500 }, 60_000);
    const reply = await host.ask<{ type: "Latencies"; latencies: number[] }>(
      "root/a",
      { type: "Start", peer: "root/b", rounds: 5_000 },
      60_000,
    );
    const sorted = reply.latencies.slice(500).sort((x, y) => x - y);
    emit({
      bench: "runtime_worker_one_hop_latency",
      unit: "ms",
      value: +percentile(sorted, 0.5).toFixed(4),
      statistic: "p50",
      samples: sorted.length,
      p99_ms: +percentile(sorted, 0.99).toFixed(4),
    });
    await host.stop();
  }
  {
    const host = createWorkerHost({ logSink: () => {}, heartbeatMs: 100 });
    await host.start(tree(actor("c", "counter", FIXTURES)));
    const samples: number[] = [];
    for (let i = 0; i < 10; i++) {
      const restarted = new Promise<void>((resolve) => {
        const off = host.subscribe((e) => {
          if (e.type === "restarted") {
            off();
            resolve();
          }
        });
      });
      const start = performance.now();
      host.tell("root/c", { type: "Crash" });
      await restarted;
      await host.ask("root/c", { type: "Get" }, 5_000);
      samples.push(performance.now() - start);
    }
    samples.sort((x, y) => x - y);
    emit({
      bench: "runtime_worker_crash_to_serving",
      unit: "ms",
      value: +percentile(samples, 0.5).toFixed(2),
      statistic: "p50",
      samples: samples.length,
      max_ms: +samples[samples.length - 1].toFixed(2),
    });
    await host.stop();
  }
}

if (import.meta.main) await runtimeBench(printRow);
