/**
 * The venue adapter over the paper venue, in process: what it holds in memory stays bounded as orders close (only
 * one id per final order remains, the dedupe key), and after a restart an order it closed long ago is still never
 * sent to the venue again.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createInProcessHost, type InProcessHost, type Message } from "../../../actors/runtime/mod.ts";
import type { Bar, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import { barAt, loadBars } from "../../../storage/bars/mod.ts";
import { venueSubmits } from "../../live/helpers.ts";

const ADAPTER = new URL("../../../actors/exchange/paper/adapter.ts", import.meta.url).href;
const RECORDER = new URL("../../live/fixtures/recorder.ts", import.meta.url).href;
const GOOG = "/work/shared/data/backtesting_py/GOOG.csv";

interface Held {
  readonly tracked: number;
  readonly closed: number;
  readonly known: number;
}
type AdapterState = Message & { phase: string; openOrders: string[]; pending: string[]; held: Held };

async function start(dir: string): Promise<InProcessHost> {
  const host = createInProcessHost({ logSink: () => {} });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "risk", module: RECORDER },
      {
        kind: "actor",
        id: "exchange",
        module: ADAPTER,
        config: {
          venue: "paper",
          db: `sqlite:${join(dir, "journal.sqlite")}`,
          downstream: "t/risk",
          client: { path: join(dir, "paper_venue.sqlite"), sim: { initialCash: 1_000_000 } },
        },
      },
    ],
  });
  return host;
}

/** Strategy "m" trades market orders, sides alternating; strategy "l" rests limit orders far below. */
function order(strategyId: "m" | "l", n: number): OrderRequest {
  return {
    clientOrderId: `${strategyId}-${n}`,
    strategyId,
    venue: "paper",
    symbol: "GOOG",
    side: n % 2 === 0 ? "buy" : "sell",
    type: "market",
    qty: 1,
    tif: "GTC",
    ts: 0,
    ...(strategyId === "l" ? { type: "limit", side: "buy", limitPrice: 1 } : {}),
  };
}

/** An ask queues behind the tells before it: when it answers, they are handled. */
const state = (host: InProcessHost) => host.ask<AdapterState>("t/exchange", { type: "GetAdapterState" }, 10_000);

async function events(host: InProcessHost): Promise<OrderEvent[]> {
  const reply = await host.ask<Message & { events: Message[] }>("t/risk", { type: "GetEvents" }, 10_000);
  return reply.events.filter((e) => e.type !== "Bar") as OrderEvent[];
}

Deno.test("paper adapter: memory stays bounded as orders close, and a closed order is never resent", async () => {
  const { series } = await loadBars(GOOG, { symbol: "GOOG" });
  const bars: Bar[] = Array.from({ length: series.length }, (_, i) => barAt(series, i));
  const dir = await Deno.makeTempDir({ prefix: "paper-adapter-" });
  let host = await start(dir);
  const submit = (o: OrderRequest) => host.tell("t/exchange", { type: "SubmitOrder", order: o, replyTo: "t/risk" });
  // Per bar: a market order (fills on the next bar) and a far limit order that a CancelAll cancels at once.
  const step = (i: number) => {
    host.tell("t/exchange", { type: "Bar", bar: bars[i] });
    submit(order("m", i));
    submit(order("l", i));
    host.tell("t/exchange", { type: "CancelAll", strategyId: "l" });
  };
  for (let i = 0; i < 50; i++) step(i);
  const early = await state(host);
  for (let i = 50; i < 500; i++) step(i);
  const late = await state(host);

  assert.equal(early.phase, "ready");
  assert.equal(late.pending.length, 0);
  assert.ok(late.openOrders.length <= 1, `open orders: ${late.openOrders}`);
  assert.equal(late.held.tracked, late.openOrders.length, "only open orders are tracked");
  assert.equal(late.held.closed, 1_000 - late.openOrders.length, "one id per final order");
  assert.ok(
    late.held.known <= early.held.known,
    `journaled ids held grew from ${early.held.known} to ${late.held.known} over 900 more orders`,
  );
  const fills = (await events(host)).filter((e) => e.type === "OrderFilled");
  assert.equal(fills.length, 499, "every market order but the last fills");
  await host.stop();

  // A restarted adapter (a new process) learns every closed order from its journal: a resend is not sent.
  const before = venueSubmits(dir);
  assert.equal(before.total, 1_000);
  host = await start(dir);
  submit(order("m", 0));
  submit(order("l", 301));
  submit(order("m", 499)); // still open: the journal knows it too
  const after = await state(host);
  assert.equal(after.phase, "ready");
  assert.deepEqual(venueSubmits(dir), before, "an order the journal knows was sent to the venue again");
  assert.equal(after.held.closed + after.held.tracked, 1_000);
  await host.stop();
  await Deno.remove(dir, { recursive: true });
});
