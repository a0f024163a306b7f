/**
 * Strategies joining, leaving and changing while the guardian runs (roster.ts), through the in-process host: a
 * joining strategy gets the bars after its position on the bar clock, a leaving one is stopped (orders cancelled,
 * flattened or kept) and gets nothing more, new parameters go out just before the next bar; and a schedule from an
 * earlier run replays every change at the same bar.
 */
import assert from "node:assert/strict";
import { createInProcessHost, type Message, type OpenMessage, simulatedClock } from "../../../actors/runtime/mod.ts";
import type { Bar, ExchangeMessage, OrderRequest } from "../../../actors/protocol/mod.ts";
import { admit, createRoster, type Schedule } from "../../../actors/risk_guardian/roster.ts";
import { testOrder } from "./orders.ts";

const module = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const SINK = new URL("./sink.ts", import.meta.url).href;
const TAP = new URL("./tap.ts", import.meta.url).href;
const DAY = 86_400_000;

const bar = (i: number): Bar => ({
  symbol: "X",
  timeframe: "1d",
  ts: i * DAY,
  open: 100,
  high: 100,
  low: 100,
  close: 100,
  volume: 1e9,
});
const pos = (i: number) => ({ symbol: "X", ts: i * DAY });

async function setup(extra: Record<string, unknown> = {}) {
  const clock = simulatedClock(1_000);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  const sink = (id: string) => ({ kind: "actor" as const, id, module: SINK });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      sink("a"),
      sink("c"),
      sink("journal"),
      sink("source"),
      {
        kind: "actor",
        id: "risk",
        module: module("risk_guardian/risk_guardian.ts"),
        config: {
          limits: {},
          exchanges: { sim: "t/tap" },
          owners: { a: "t/a" },
          barSubscribers: { X: ["t/a"] },
          journalPath: "t/journal",
          ...extra,
        },
      },
      { kind: "actor", id: "tap", module: TAP, config: { target: "t/exchange" } },
      {
        kind: "actor",
        id: "exchange",
        module: module("exchange/sim/sim_exchange.ts"),
        config: { sim: { initialCash: 1_000_000, fillAt: "close" }, fillSubscribers: [] },
      },
    ],
  });
  host.tell("t/exchange", { type: "Bar", bar: bar(0) });
  host.drain();
  let n = 0;
  const ask = async <R extends Message>(path: string, msg: OpenMessage): Promise<R> => {
    const reply = host.ask<R>(path, msg, 1_000);
    host.drain();
    return await reply;
  };
  const tell = (path: string, msg: OpenMessage) => {
    host.tell(path, msg);
    host.drain();
  };
  const events = async (path: string) =>
    (await ask<{ type: "Events"; events: OpenMessage[] }>(path, { type: "GetEvents" })).events;
  return {
    host,
    tell,
    ask,
    submit(strategyId: string, fields: Partial<OrderRequest> = {}) {
      const order = testOrder(`${strategyId}-${++n}`, strategyId, clock.now(), fields);
      tell("t/risk", { type: "SubmitOrder", order, replyTo: `t/${strategyId}` });
    },
    sendBar: (i: number) =>
      tell("t/source", { type: "Forward", to: "t/risk", msg: { type: "Bar", bar: bar(i) } } as never),
    /** What a strategy got, in order: bars as "bar <i>", reconfigurations as "params <json>", others by type. */
    inbox: async (path: string) =>
      (await events(path)).map((e) =>
        e.type === "Bar"
          ? `bar ${(e.bar as Bar).ts / DAY}`
          : e.type === "Reconfigure"
          ? `params ${JSON.stringify(e.params)}`
          : String(e.type)
      ),
    journaled: async () =>
      (await events("t/journal")).filter((e) => e.type === "Append").flatMap((
        e,
      ) => (e.events as { type: string; payload: Record<string, unknown> }[])),
    tapped: async () => (await ask<{ type: "Tapped"; seen: ExchangeMessage[] }>("t/tap", { type: "GetTapped" })).seen,
    risk: () =>
      ask<
        { type: "RiskState"; positions: { key: string; qty: number }[]; strategies: Record<string, { status: string }> }
      >("t/risk", {
        type: "GetRiskState",
      }),
  };
}

const ADD = {
  type: "AddStrategy",
  strategyId: "c",
  path: "t/c",
  symbols: ["X"],
  capital: 5_000,
  limits: { maxPositionQty: 4 },
  reason: "test",
  by: "admin",
};

Deno.test("roster: an added strategy gets the bars after its position, with its limits; the reply says where", async () => {
  const s = await setup();
  s.sendBar(1);
  s.sendBar(2);
  const reply = await s.ask("t/risk", ADD);
  assert.deepEqual(reply, { type: "RosterChanged", strategyId: "c", change: "added", at: pos(2) });
  s.sendBar(3);
  assert.deepEqual(await s.inbox("t/c"), ["bar 3"]);
  assert.deepEqual(await s.inbox("t/a"), ["bar 1", "bar 2", "bar 3"]);
  s.submit("c", { qty: 5 });
  assert.deepEqual((await s.inbox("t/c")).at(-1), "OrderDenied");
  s.submit("c", { qty: 3 });
  const state = await s.risk();
  assert.equal(state.positions.find((p) => p.key === "c/X")?.qty, 3);
  assert.equal(state.strategies.c.status, "ACTIVE");
  const added = (await s.journaled()).find((e) => e.type === "strategy:added")!;
  assert.equal(added.payload.detail, "c by admin: test");
  assert.deepEqual(added.payload.at, pos(2));
  // The same id twice is refused, and says why.
  const again = await s.ask("t/risk", ADD);
  assert.deepEqual(again, { type: "RosterRefused", strategyId: "c", error: "strategy c is already known here" });
  await s.host.stop();
});

Deno.test("roster: a removed strategy is stopped, its orders cancelled, flattened, and it gets no more bars", async () => {
  const s = await setup();
  await s.ask("t/risk", ADD);
  s.sendBar(1);
  s.submit("c", { qty: 2 });
  s.submit("c", { type: "limit", limitPrice: 50, qty: 1 });
  const reply = await s.ask("t/risk", {
    type: "RemoveStrategy",
    strategyId: "c",
    flatten: true,
    reason: "done",
    by: "admin",
  });
  assert.deepEqual(reply, { type: "RosterChanged", strategyId: "c", change: "removed", at: pos(1) });
  const sent = (await s.tapped()).slice(2);
  assert.deepEqual(sent[0], { type: "CancelAll", strategyId: "c" });
  const flatten = sent[1] as Extract<ExchangeMessage, { type: "SubmitOrder" }>;
  assert.deepEqual([flatten.order.side, flatten.order.qty, flatten.order.reduceOnly], ["sell", 2, true]);
  const before = (await s.inbox("t/c")).length;
  s.sendBar(2);
  const inbox = await s.inbox("t/c");
  // Nothing after the removal reaches its (departed) actor: the flatten's fill and the cancel stay with the guardian.
  assert.equal(inbox.length, before);
  assert.equal(inbox.includes("bar 2"), false);
  const state = await s.risk();
  assert.equal(state.positions.find((p) => p.key === "c/X")?.qty, 0);
  assert.deepEqual((await s.inbox("t/a")).filter((e) => e.startsWith("bar")), ["bar 1", "bar 2"]);
  const types = (await s.journaled()).map((e) => e.type);
  assert.ok(types.indexOf("strategy:STOPPED") < types.indexOf("strategy:removed"));
  await s.host.stop();
});

Deno.test("roster: keep leaves the position; an unknown strategy cannot be removed or reconfigured", async () => {
  const s = await setup();
  await s.ask("t/risk", ADD);
  s.submit("c", { qty: 2 });
  await s.ask("t/risk", { type: "RemoveStrategy", strategyId: "c", flatten: false, reason: "keep it" });
  assert.equal((await s.risk()).positions.find((p) => p.key === "c/X")?.qty, 2);
  assert.deepEqual((await s.tapped()).slice(1), [{ type: "CancelAll", strategyId: "c" }]);
  for (const msg of [{ type: "RemoveStrategy", flatten: true }, { type: "ReconfigureStrategy", params: {} }]) {
    const reply = await s.ask("t/risk", { ...msg, strategyId: "c", reason: "again" });
    assert.deepEqual(reply, { type: "RosterRefused", strategyId: "c", error: "strategy c is not running here" });
  }
  await s.host.stop();
});

Deno.test("roster: new parameters reach the strategy just before the next bar it is fed, and are journaled", async () => {
  const s = await setup();
  s.sendBar(1);
  const reply = await s.ask("t/risk", {
    type: "ReconfigureStrategy",
    strategyId: "a",
    params: { fast: 3 },
    reason: "faster",
  });
  assert.deepEqual(reply, { type: "RosterChanged", strategyId: "a", change: "reconfigure", at: pos(1) });
  assert.deepEqual(await s.inbox("t/a"), ["bar 1"]);
  s.sendBar(2);
  s.sendBar(3);
  assert.deepEqual(await s.inbox("t/a"), ["bar 1", 'params {"fast":3}', "bar 2", "bar 3"]);
  const record = (await s.journaled()).find((e) => e.type === "strategy:reconfigure")!;
  assert.deepEqual(record.payload.at, pos(1));
  await s.host.stop();
});

Deno.test("roster: a schedule from an earlier run re-applies every change at the same bar", async () => {
  const schedule: Schedule = {
    // Added at bar 2, reconfigured at 3, stopped at 4, started again at 6.
    c: [
      { kind: "feed", after: pos(2) },
      { kind: "reconfigure", after: pos(3), params: { slow: 9 } },
      { kind: "pause", after: pos(4) },
      { kind: "feed", after: pos(6) },
    ],
    // Paused at 1 while a later reconfiguration waits for it to be fed again at 3.
    a: [{ kind: "pause", after: pos(1) }, { kind: "reconfigure", after: pos(2), params: { k: 1 } }, {
      kind: "feed",
      after: pos(3),
    }],
  };
  const s = await setup({
    owners: { a: "t/a", c: "t/c" },
    barSubscribers: { X: ["t/a", "t/c"] },
    schedule,
  });
  for (let i = 1; i <= 8; i++) s.sendBar(i);
  assert.deepEqual(await s.inbox("t/c"), ["bar 3", 'params {"slow":9}', "bar 4", "bar 7", "bar 8"]);
  assert.deepEqual(await s.inbox("t/a"), ["bar 1", 'params {"k":1}', "bar 4", "bar 5", "bar 6", "bar 7", "bar 8"]);
  await s.host.stop();
});

Deno.test("roster: changes journaled out of order are applied in bar order; a strategy without any is always fed", () => {
  const roster = createRoster({ x: [{ kind: "feed", after: pos(5) }, { kind: "pause", after: pos(2) }] });
  const fed = (i: number) => admit(roster, "x", pos(i), () => {});
  assert.deepEqual([1, 2, 3, 5, 6].map(fed), [true, true, false, false, true]);
  assert.equal(roster.watched, 0);
  assert.equal(admit(roster, "other", pos(1), () => {}), true);
});

Deno.test("roster: a strategy disabled again during the replay is not flattened twice; after the replay it is", async () => {
  // The earlier run stopped "a" with flatten after bar 2; its journal ends at bar 4 (replayUntil).
  const s = await setup({
    disabledStrategies: {
      a: { status: "STOPPED", reason: "earlier", since: 0, flatten: true, lastBar: pos(2) },
    },
    replayUntil: pos(4),
  });
  s.sendBar(1);
  s.submit("a", { qty: 5 }); // replayed: the position the earlier run flattened
  s.sendBar(2);
  s.sendBar(3); // a bar after its last one: disabled again here, still in the replay
  s.sendBar(4);
  const flattens = async () =>
    (await s.tapped()).filter((c) => c.type === "SubmitOrder" && c.order.clientOrderId.startsWith("a-flatten-"));
  assert.deepEqual(await flattens(), [], "flattened again during the replay");
  assert.equal((await s.risk()).strategies.a.status, "STOPPED");
  s.sendBar(5); // the first bar after the replay: still not flat, so now it is flattened
  const sent = await flattens();
  assert.equal(sent.length, 1);
  assert.deepEqual([
    sent[0].type === "SubmitOrder" && sent[0].order.side,
    sent[0].type === "SubmitOrder" && sent[0].order.qty,
  ], ["sell", 5]);
  await s.host.stop();
});
