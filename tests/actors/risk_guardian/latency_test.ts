/**
 * Order latency on the risk guardian's clock: bar → first order of a strategy, order sent → the venue's first answer,
 * as Prometheus histograms in /metrics. A simulated clock makes every interval exact.
 */
import assert from "node:assert/strict";
import { createInProcessHost, simulatedClock } from "../../../actors/runtime/mod.ts";
import type { Bar } from "../../../actors/protocol/mod.ts";
import type { Message } from "../../../actors/runtime/mod.ts";
import { renderMetrics } from "../../../actors/gateway/metrics.ts";
import { createLatency, LATENCY_BUCKETS, observe } from "../../../actors/risk_guardian/latency.ts";
import { testOrder } from "./orders.ts";

const GUARDIAN = new URL("../../../actors/risk_guardian/risk_guardian.ts", import.meta.url).href;
const RECORDER = new URL("./recorder.ts", import.meta.url).href;

async function run(measureLatency: boolean) {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "owner", module: RECORDER },
      { kind: "actor", id: "venue", module: RECORDER },
      {
        kind: "actor",
        id: "risk",
        module: GUARDIAN,
        config: { limits: {}, exchanges: { sim: "t/venue" }, barSubscribers: { X: ["t/owner"] }, measureLatency },
      },
    ],
  });
  const at = (ms: number, msg: Message & Record<string, unknown>) => {
    clock.advanceTo(ms);
    host.tell("t/risk", msg);
    host.drain();
  };
  const bar = (ts: number): Bar => ({
    symbol: "X",
    timeframe: "1m",
    ts,
    open: 1,
    high: 1,
    low: 1,
    close: 100,
    volume: 1,
  });
  const order = (id: string, ts: number) => ({
    type: "SubmitOrder",
    order: testOrder(id, "s", ts),
    replyTo: "t/owner",
  });
  const event = (type: string, id: string, ts: number) => ({
    type,
    clientOrderId: id,
    strategyId: "s",
    venueOrderId: `v-${id}`,
    reason: "r",
    ts,
  });
  at(1_000, { type: "Bar", bar: bar(60_000) });
  at(1_003, order("s-1", 1_003)); // 3 ms after the bar
  at(1_004, order("s-2", 1_004)); // the same bar: not measured again
  at(1_010, event("OrderAccepted", "s-1", 1_010)); // 7 ms after it was sent
  at(1_254, event("OrderRejected", "s-2", 1_254)); // 250 ms
  at(1_300, event("OrderCanceled", "s-1", 1_300)); // a later event of s-1: not measured
  at(2_000, { type: "Bar", bar: bar(120_000) });
  at(4_000, order("s-3", 4_000)); // 2 s after the second bar
  const reply = host.ask("t/risk", { type: "GetRiskState" }, 1_000);
  host.drain();
  const state = await reply as unknown as {
    latency?: Record<string, { counts: number[]; count: number; sum: number }>;
  };
  await host.stop();
  return state;
}

Deno.test("latency: bar → order and order → venue answer are measured once each, in the right buckets", async () => {
  const { latency } = await run(true);
  assert.ok(latency);
  const bucket = (le: number) => LATENCY_BUCKETS.indexOf(le);
  const expected = (entries: [number, number][]) => {
    const counts = new Array(LATENCY_BUCKETS.length + 1).fill(0);
    for (const [le, n] of entries) counts[bucket(le)] += n;
    return counts;
  };
  assert.deepEqual(latency.ack.counts, expected([[0.01, 1], [0.25, 1]]));
  assert.equal(latency.ack.count, 2);
  assert.ok(Math.abs(latency.ack.sum - 0.257) < 1e-9);
  assert.deepEqual(latency.barToOrder.counts, expected([[0.005, 1], [2.5, 1]]));
  assert.equal(latency.barToOrder.count, 2);
  assert.equal((await run(false)).latency, undefined, "off unless asked for (backtests)");
});

Deno.test("latency: /metrics renders Prometheus histograms (cumulative buckets, +Inf, sum, count)", () => {
  const l = createLatency();
  for (const s of [0.0005, 0.007, 0.25, 40]) observe(l.ack, s);
  const text = renderMetrics({
    actors: [],
    status: {
      risk: {
        counts: {},
        latency: {
          ack: { buckets: LATENCY_BUCKETS, counts: l.ack.counts, count: l.ack.count, sum: l.ack.sum },
          barToOrder: undefined,
        },
      },
    },
    treeFailed: false,
    rssBytes: 1,
    now: 0,
  });
  const lines = text.split("\n").filter((line) => line.includes("order_ack_latency"));
  assert.equal(lines[1], "# TYPE tradeactor_order_ack_latency_seconds histogram");
  assert.deepEqual(lines.slice(2), [
    'tradeactor_order_ack_latency_seconds_bucket{le="0.001"} 1',
    'tradeactor_order_ack_latency_seconds_bucket{le="0.0025"} 1',
    'tradeactor_order_ack_latency_seconds_bucket{le="0.005"} 1',
    'tradeactor_order_ack_latency_seconds_bucket{le="0.01"} 2',
    'tradeactor_order_ack_latency_seconds_bucket{le="0.025"} 2',
    'tradeactor_order_ack_latency_seconds_bucket{le="0.05"} 2',
    'tradeactor_order_ack_latency_seconds_bucket{le="0.1"} 2',
    'tradeactor_order_ack_latency_seconds_bucket{le="0.25"} 3',
    'tradeactor_order_ack_latency_seconds_bucket{le="0.5"} 3',
    'tradeactor_order_ack_latency_seconds_bucket{le="1"} 3',
    'tradeactor_order_ack_latency_seconds_bucket{le="2.5"} 3',
    'tradeactor_order_ack_latency_seconds_bucket{le="5"} 3',
    'tradeactor_order_ack_latency_seconds_bucket{le="10"} 3',
    'tradeactor_order_ack_latency_seconds_bucket{le="30"} 3',
    'tradeactor_order_ack_latency_seconds_bucket{le="+Inf"} 4',
    `tradeactor_order_ack_latency_seconds_sum ${0.0005 + 0.007 + 0.25 + 40}`,
    "tradeactor_order_ack_latency_seconds_count 4",
  ]);
  assert.ok(!text.includes("bar_to_order"), "no family without data");
});
