/**
 * Interactive Brokers through the fake TWS on 127.0.0.1 (tests/fakes/tws.ts), via @stoqey/ib:
 * - ib_order_ack_ms: placeOrder → TWS's openOrder/orderStatus seen by the client (p50, p99 over 200 market orders,
 *   paced 30 ms apart to stay under the client's 40 messages/s throttle, so queueing is not measured);
 * - ib_order_fill_ms: placeOrder → the fill reported with its commission (execDetails + commissionReport);
 * - ib_adapter_fill_ms: SubmitOrder to the adapter Worker → OrderFilled at the downstream actor (pollMs 10);
 * - ib_reconnect_reconciled_ms: a fresh connection's connect() + full sync (contracts, 50 open orders, executions,
 *   positions, account summary) until trading may resume.
 * Run: deno run -A bench/ib_bench.ts
 */
import { join } from "node:path";
import { ibClient, parseIbClientConfig } from "../actors/exchange/ib/client.ts";
import type { OrderRequest } from "../actors/protocol/mod.ts";
import { createWorkerHost, type Message } from "../actors/runtime/mod.ts";
import { defaultInstruments, startFakeTws } from "../tests/fakes/tws.ts";
import { printRow } from "./row.ts";

const N = 200;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 100) / 100;
};
const order = (n: number, extra: Partial<OrderRequest> = {}): OrderRequest => ({
  clientOrderId: `b-${n}`,
  strategyId: "b",
  venue: "ib",
  symbol: "AAPL",
  side: n % 2 ? "sell" : "buy",
  type: "market",
  qty: 1,
  tif: "DAY",
  ts: 0,
  ...extra,
});
const log = { warn: () => {}, info: () => {} };
const context = { now: 0, lastPrice: new Map<string, number>() };

const dir = await Deno.makeTempDir({ prefix: "ib-bench-" });
const fake = startFakeTws({ instruments: defaultInstruments(), cash: 1e9 });
try {
  const config = parseIbClientConfig({ port: fake.port, clientId: 1, symbols: { AAPL: { secType: "STK" } } }, "bench");
  const client = ibClient(config, "ib", { db: `sqlite:${join(dir, "ids.sqlite")}`, log });
  await client.connect();
  const ack: number[] = [];
  const fill: number[] = [];
  for (let i = 0; i < N; i++) {
    const t0 = performance.now();
    await client.submit(order(i), context);
    ack.push(performance.now() - t0);
    while ((await client.report(`b-${i}`, "AAPL"))?.status !== "filled") await sleep(0);
    fill.push(performance.now() - t0);
    await sleep(Math.max(0, 30 - (performance.now() - t0)));
  }
  printRow({ bench: "ib_order_ack_ms", unit: "ms", value: pct(ack, 0.5), p99: pct(ack, 0.99), orders: N });
  printRow({ bench: "ib_order_fill_ms", unit: "ms", value: pct(fill, 0.5), p99: pct(fill, 0.99), orders: N });

  for (let i = 0; i < 50; i++) {
    await client.submit(order(N + i, { type: "limit", side: "buy", limitPrice: 100, tif: "GTC" }), context);
    await sleep(30);
  }
  await client.close();
  const syncs: number[] = [];
  for (let r = 0; r < 5; r++) {
    const again = ibClient(config, "ib", { db: `sqlite:${join(dir, "ids.sqlite")}`, log });
    const t0 = performance.now();
    await again.connect();
    syncs.push(performance.now() - t0);
    await again.close();
  }
  printRow({
    bench: "ib_reconnect_reconciled_ms",
    unit: "ms",
    value: pct(syncs, 0.5),
    max: Math.round(Math.max(...syncs)),
    openOrders: 50,
    executions: fake.executions.length,
  });

  const host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "risk", module: new URL("../tests/live/fixtures/recorder.ts", import.meta.url).href },
      {
        kind: "actor",
        id: "exchange",
        module: new URL("../actors/exchange/ib/adapter.ts", import.meta.url).href,
        config: {
          venue: "ib",
          db: `sqlite:${join(dir, "journal.sqlite")}`,
          downstream: "t/risk",
          pollMs: 10,
          client: { port: fake.port, clientId: 2, symbols: { AAPL: { secType: "STK" } } },
        },
      },
    ],
  });
  const fills: number[] = [];
  for (let i = 0; i < N; i++) {
    const o = order(10_000 + i);
    const t0 = performance.now();
    host.tell("t/exchange", { type: "SubmitOrder", order: o, replyTo: "t/risk" });
    for (;;) {
      const { events } = await host.ask<Message & { events: { type: string; clientOrderId?: string }[] }>(
        "t/risk",
        { type: "GetEvents" },
        5_000,
      );
      if (events.some((e) => e.type === "OrderFilled" && e.clientOrderId === o.clientOrderId)) break;
      await sleep(0);
    }
    fills.push(performance.now() - t0);
    await sleep(Math.max(0, 30 - (performance.now() - t0)));
  }
  await host.stop();
  printRow({
    bench: "ib_adapter_fill_ms",
    unit: "ms",
    value: pct(fills, 0.5),
    p99: pct(fills, 0.99),
    orders: N,
    pollMs: 10,
  });
} finally {
  await fake.close();
  await Deno.remove(dir, { recursive: true });
}
