/**
 * Modify at the paper venue through the generic adapter: in place (same id, same venue order), journaled before the
 * venue sees it, answered by an event under the modify's own id; a replayed modify (a restart) is applied once; a
 * refused one leaves the order as it was. A venue client without `modify` refuses plainly.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createInProcessHost, type InProcessHost, type Message } from "../../../actors/runtime/mod.ts";
import type { Bar, ModifyOrder, OrderChanges, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import { openJournal } from "../../../storage/journal/open.ts";

const ADAPTER = new URL("../../../actors/exchange/paper/adapter.ts", import.meta.url).href;
const RECORDER = new URL("../../live/fixtures/recorder.ts", import.meta.url).href;
const DAY = 86_400_000;

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

const bar = (i: number, o: number, h: number, l: number, c: number): Bar => ({
  symbol: "X",
  timeframe: "1d",
  ts: i * DAY,
  open: o,
  high: h,
  low: l,
  close: c,
  volume: 1e9,
});
const limit: OrderRequest = {
  clientOrderId: "s-1",
  strategyId: "s",
  venue: "paper",
  symbol: "X",
  side: "buy",
  type: "limit",
  limitPrice: 90,
  qty: 1,
  tif: "GTC",
  ts: 0,
};
const modifyOf = (modifyId: string, changes: OrderChanges, clientOrderId = "s-1"): ModifyOrder => ({
  type: "ModifyOrder",
  clientOrderId,
  strategyId: "s",
  modifyId,
  changes,
  replyTo: "t/risk",
});

async function events(host: InProcessHost): Promise<OrderEvent[]> {
  await host.ask("t/exchange", { type: "GetAdapterState" }, 10_000); // queued behind the tells: they are handled
  const reply = await host.ask<Message & { events: Message[] }>("t/risk", { type: "GetEvents" }, 10_000);
  return reply.events.filter((e) => e.type !== "Bar") as OrderEvent[];
}
const summary = (events: OrderEvent[]) =>
  events.map((e) =>
    e.type === "OrderModified"
      ? `modified ${e.modifyId} ${JSON.stringify(e.changes)}`
      : e.type === "OrderModifyRejected"
      ? `refused ${e.modifyId}: ${e.reason}`
      : e.type === "OrderFilled"
      ? `filled ${e.fill.qty} @ ${e.fill.price}`
      : e.type
  );

Deno.test("paper adapter: modify in place, journaled; replayed after a restart it is applied once", async () => {
  const dir = await Deno.makeTempDir({ prefix: "paper-modify-" });
  let host = await start(dir);
  host.tell("t/exchange", { type: "Bar", bar: bar(0, 100, 100, 100, 100) });
  host.tell("t/exchange", { type: "SubmitOrder", order: limit, replyTo: "t/risk" });
  host.tell("t/exchange", modifyOf("s-1~2", { limitPrice: 99, qty: 3 }));
  host.tell("t/exchange", modifyOf("s-1~3", { stopPrice: 5 })); // a limit has no stop: refused, unchanged
  const first = summary(await events(host));
  assert.deepEqual(first, [
    "OrderAccepted",
    'modified s-1~2 {"qty":3,"limitPrice":99}',
    "refused s-1~3: modify: a limit order has no stop price",
  ]);
  await host.stop();

  // A new process: the journal replays what downstream saw; the strategy re-sends the same modify: not applied again.
  host = await start(dir);
  host.tell("t/exchange", { type: "SubmitOrder", order: limit, replyTo: "t/risk" });
  host.tell("t/exchange", modifyOf("s-1~2", { limitPrice: 99, qty: 3 }));
  host.tell("t/exchange", { type: "Bar", bar: bar(1, 100, 100, 98, 99) }); // reaches 99: fills 3 at 99
  host.tell("t/exchange", modifyOf("s-1~4", { qty: 5 })); // after the fill: refused
  const second = summary(await events(host));
  assert.deepEqual(second, [
    ...first,
    "filled 3 @ 99",
    "refused s-1~4: modify: s-1 is not open (filled, closed or unknown) and has no open exits",
  ]);
  await host.stop();

  const journal = await openJournal(`sqlite:${join(dir, "journal.sqlite")}`);
  const records = await journal.read({ stream: "venue:paper" });
  await journal.close();
  const modifyCommands = records.filter((r) =>
    r.type === "Command" && (r.payload as { intent: { kind: string } }).intent.kind === "modify"
  );
  assert.equal(modifyCommands.length, 3, "each modify journaled once (s-1~2, s-1~3, s-1~4)");
  assert.equal(records.filter((r) => r.type === "OrderModified").length, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("paper adapter: a filled bracket's exits move by the parent's id; the moved stop fills", async () => {
  const dir = await Deno.makeTempDir({ prefix: "paper-modify-trade-" });
  const host = await start(dir);
  const entry: OrderRequest = {
    ...limit,
    clientOrderId: "s-5",
    type: "market",
    limitPrice: undefined,
    qty: 2,
    bracket: { stopLoss: 90, takeProfit: 120 },
  };
  host.tell("t/exchange", { type: "Bar", bar: bar(0, 100, 100, 100, 100) });
  host.tell("t/exchange", { type: "SubmitOrder", order: entry, replyTo: "t/risk" });
  host.tell("t/exchange", { type: "Bar", bar: bar(1, 100, 101, 99, 100) }); // the entry fills at 100
  host.tell("t/exchange", { ...modifyOf("s-5~6", { stopLoss: 98 }, "s-5"), trade: true });
  host.tell("t/exchange", { type: "Bar", bar: bar(2, 100, 100, 97, 97) }); // through 98, not 90
  const got = await events(host);
  assert.ok(got.some((e) => e.type === "OrderModified" && e.clientOrderId === "s-5"));
  const fills = got.flatMap((e) => e.type === "OrderFilled" ? [[e.clientOrderId, e.fill.price]] : []);
  assert.deepEqual(fills, [["s-5", 100], ["s-5-sl", 98]]);
  await host.stop();
  await Deno.remove(dir, { recursive: true });
});
