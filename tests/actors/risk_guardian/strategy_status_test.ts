/**
 * Per-strategy status in the risk guardian (through the in-process host): a disabled strategy only reduces, its
 * orders are cancelled and its positions flattened (or kept), everything is journaled and alerted, and the bar clock
 * of a lockstep replay never waits for a strategy that crashed, restarts or is disabled.
 */
import assert from "node:assert/strict";
import {
  ConfigError,
  createInProcessHost,
  InitError,
  type Message,
  type OpenMessage,
  simulatedClock,
} from "../../../actors/runtime/mod.ts";
import type { Bar, ExchangeMessage, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import type { StrategyReport } from "../../../actors/risk_guardian/strategy_status.ts";
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

interface RiskState {
  type: "RiskState";
  positions: { key: string; qty: number }[];
  strategies: Record<string, StrategyReport>;
  decisions: { decision: string; detail: string }[];
}

/** Strategies a and b (sinks), a journal sink, a bar source, the guardian, a tap and (unless `venue` is false) a sim. */
async function setup(extra: Record<string, unknown> = {}, venue = true) {
  const clock = simulatedClock(1_000);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  const sink = (id: string) => ({ kind: "actor" as const, id, module: SINK });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      sink("a"),
      sink("b"),
      sink("journal"),
      sink("source"),
      {
        kind: "actor",
        id: "risk",
        module: module("risk_guardian/risk_guardian.ts"),
        config: {
          limits: {},
          exchanges: { sim: "t/tap" },
          owners: { a: "t/a", b: "t/b" },
          barSubscribers: { X: ["t/a", "t/b"] },
          journalPath: "t/journal",
          ...extra,
        },
      },
      { kind: "actor", id: "tap", module: TAP, config: venue ? { target: "t/exchange" } : {} },
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
  const ask = async <R extends Message>(path: string, msg: Message): Promise<R> => {
    const reply = host.ask<R>(path, msg as never, 1_000);
    host.drain();
    return await reply;
  };
  const tell = (path: string, msg: OpenMessage) => {
    host.tell(path, msg);
    host.drain();
  };
  return {
    host,
    tell,
    submit(strategyId: string, fields: Partial<OrderRequest> = {}): string {
      const order = testOrder(`${strategyId}-${++n}`, strategyId, clock.now(), fields);
      tell("t/risk", { type: "SubmitOrder", order, replyTo: `t/${strategyId}` });
      return order.clientOrderId;
    },
    /** The bar as the venue adapter sends it (from an actor, so the guardian answers BarDone). */
    sendBar: (i: number) =>
      tell("t/source", { type: "Forward", to: "t/risk", msg: { type: "Bar", bar: bar(i) } } as never),
    ack: (strategyId: string, i: number) =>
      tell("t/risk", { type: "BarHandled", strategyId, symbol: "X", ts: i * DAY }),
    events: async (path: string) =>
      (await ask<{ type: "Events"; events: OpenMessage[] }>(path, { type: "GetEvents" })).events,
    tapped: async () => (await ask<{ type: "Tapped"; seen: ExchangeMessage[] }>("t/tap", { type: "GetTapped" })).seen,
    risk: () => ask<RiskState>("t/risk", { type: "GetRiskState" }),
  };
}

type Setup = Awaited<ReturnType<typeof setup>>;

const barsOf = async (s: Setup, path: string) =>
  (await s.events(path)).filter((e) => e.type === "Bar").map((e) => (e as unknown as { bar: Bar }).bar.ts / DAY);
const barsDone = async (s: Setup) =>
  (await s.events("t/source")).filter((e) => e.type === "BarDone").map((e) =>
    (e as unknown as { ts: number }).ts / DAY
  );
const denials = async (s: Setup, path: string) =>
  (await s.events(path)).filter((e) => e.type === "OrderDenied") as Extract<OrderEvent, { type: "OrderDenied" }>[];
const position = (state: RiskState, key: string) => state.positions.find((p) => p.key === key)?.qty ?? 0;
const journaled = async (s: Setup) =>
  (await s.events("t/journal")).filter((e) => e.type === "Append").flatMap((e) =>
    (e as unknown as { events: { type: string; payload: { detail: string; strategy?: Record<string, unknown> } }[] })
      .events
  );
const alerts = async (s: Setup) =>
  (await s.events("t/journal")).filter((e) => e.type === "Alert") as unknown as {
    level: string;
    message: string;
    fields: Record<string, unknown>;
  }[];

Deno.test("strategy status: DisableStrategy denies new orders, cancels, flattens, journals, alerts and reports", async () => {
  const s = await setup();
  s.submit("a", { qty: 10 });
  s.submit("b", { qty: 3 });
  assert.equal(position(await s.risk(), "a/X"), 10);
  s.tell("t/risk", { type: "DisableStrategy", strategyId: "a", status: "QUARANTINED", reason: "test", flatten: true });

  const after = (await s.tapped()).slice(2);
  assert.deepEqual(after[0], { type: "CancelAll", strategyId: "a" });
  const flatten = after[1] as Extract<ExchangeMessage, { type: "SubmitOrder" }>;
  assert.equal(flatten.type, "SubmitOrder");
  assert.match(flatten.order.clientOrderId, /^a-flatten-/);
  assert.deepEqual(
    [flatten.order.side, flatten.order.qty, flatten.order.type, flatten.order.reduceOnly],
    ["sell", 10, "market", true],
  );
  let state = await s.risk();
  assert.equal(position(state, "a/X"), 0);
  assert.equal(position(state, "b/X"), 3);
  assert.deepEqual(state.strategies.a, { status: "QUARANTINED", reason: "test", since: 1_000, flatten: true });
  assert.deepEqual(state.strategies.b, { status: "ACTIVE" });

  const denied = s.submit("a", { qty: 1 });
  const reduceOnly = s.submit("a", { side: "sell", qty: 1, reduceOnly: true });
  s.submit("b", { qty: 1 });
  const refusals = await denials(s, "t/a");
  assert.deepEqual(refusals.map((d) => d.clientOrderId), [denied]);
  assert.equal(refusals[0].reason, "strategy a is QUARANTINED (test): only reduce-only orders");
  assert.ok(!refusals.some((d) => d.clientOrderId === reduceOnly));
  state = await s.risk();
  assert.equal(position(state, "b/X"), 4);

  const record = (await journaled(s)).find((e) => e.type === "strategy:QUARANTINED")!;
  assert.equal(record.payload.detail, "a: test");
  assert.deepEqual(record.payload.strategy, {
    strategyId: "a",
    status: "QUARANTINED",
    reason: "test",
    since: 1_000,
    flatten: true,
  });
  const alert = (await alerts(s)).find((a) => a.message === "strategy QUARANTINED")!;
  assert.equal(alert.level, "error");
  assert.equal(alert.fields.strategyId, "a");
  await s.host.stop();
});

Deno.test("strategy status: a runtime quarantine follows quarantinePolicy keep; it cannot be enabled while down", async () => {
  const s = await setup({ quarantinePolicy: "keep" });
  s.submit("a", { qty: 10 });
  s.tell("t/risk", { type: "StrategyLifecycle", strategyId: "a", phase: "quarantined", detail: "6 restarts" });
  const after = (await s.tapped()).slice(1);
  assert.deepEqual(after, [{ type: "CancelAll", strategyId: "a" }]);
  let state = await s.risk();
  assert.equal(position(state, "a/X"), 10);
  assert.deepEqual(state.strategies.a, {
    status: "QUARANTINED",
    reason: "6 restarts",
    since: 1_000,
    flatten: false,
    actor: "quarantined",
  });
  s.tell("t/risk", { type: "EnableStrategy", strategyId: "a", reason: "operator" });
  state = await s.risk();
  assert.equal(state.strategies.a.status, "QUARANTINED");
  assert.ok((await journaled(s)).some((e) => e.type === "strategy:enable-refused"));
  s.tell("t/risk", { type: "DisableStrategy", strategyId: "zz", status: "STOPPED", reason: "typo", flatten: true });
  assert.equal((await s.risk()).strategies.zz, undefined);
  assert.ok((await journaled(s)).some((e) => e.type === "strategy:disable-refused"));
  await s.host.stop();
});

Deno.test("strategy status: a bad quarantinePolicy or restored status fails the start, naming the field", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ quarantinePolicy: "sell" }, /quarantinePolicy.*must be "flatten" or "keep", got "sell"/],
    [
      { disabledStrategies: { a: { status: "PAUSED" } } },
      /disabledStrategies.*a\.status must be STOPPED or QUARANTINED/,
    ],
  ];
  for (const [extra, message] of cases) {
    await assert.rejects(setup(extra), (err: unknown) => {
      assert.ok(err instanceof ConfigError || err instanceof InitError);
      assert.match((err as Error).message, message);
      return true;
    });
  }
});

Deno.test("lockstep: the bar clock waits for running strategies only; late acks are harmless", async () => {
  const s = await setup();
  s.sendBar(1);
  s.ack("a", 1);
  assert.deepEqual(await barsDone(s), []);
  // b crashed on bar 1: the bar is done without it.
  s.tell("t/risk", { type: "StrategyLifecycle", strategyId: "b", phase: "crashed", detail: "boom" });
  assert.deepEqual(await barsDone(s), [1]);
  // While b restarts it is fed (it catches up from its mailbox) but not waited for; its late acks change nothing.
  s.sendBar(2);
  s.ack("a", 2);
  assert.deepEqual(await barsDone(s), [1, 2]);
  s.ack("b", 1);
  s.ack("b", 2);
  assert.deepEqual(await barsDone(s), [1, 2]);
  s.tell("t/risk", { type: "StrategyLifecycle", strategyId: "b", phase: "restarted", detail: "" });
  s.sendBar(3);
  s.ack("a", 3);
  s.ack("a", 3); // a repeated ack (a redelivered bar) cannot stand in for b's
  assert.deepEqual(await barsDone(s), [1, 2]);
  s.ack("b", 3);
  assert.deepEqual(await barsDone(s), [1, 2, 3]);
  // Stopped: not fed, not waited for; enabled again: both.
  s.tell("t/risk", { type: "DisableStrategy", strategyId: "b", status: "STOPPED", reason: "loss", flatten: false });
  s.sendBar(4);
  s.ack("a", 4);
  assert.deepEqual(await barsDone(s), [1, 2, 3, 4]);
  s.tell("t/risk", { type: "EnableStrategy", strategyId: "b", reason: "operator" });
  s.sendBar(5);
  s.ack("a", 5);
  assert.deepEqual(await barsDone(s), [1, 2, 3, 4]);
  s.ack("b", 5);
  assert.deepEqual(await barsDone(s), [1, 2, 3, 4, 5]);
  assert.deepEqual(await barsOf(s, "t/a"), [1, 2, 3, 4, 5]);
  assert.deepEqual(await barsOf(s, "t/b"), [1, 2, 3, 5]);
  const state = await s.risk();
  assert.deepEqual(state.strategies.b, { status: "ACTIVE", lastBar: { symbol: "X", ts: 5 * DAY } });
  const kinds = (await journaled(s)).map((e) => e.type).filter((t) => t.startsWith("strategy:"));
  assert.deepEqual(kinds, ["strategy:crashed", "strategy:restarted", "strategy:STOPPED", "strategy:ACTIVE"]);
  await s.host.stop();
});

Deno.test("lockstep: disabling a strategy the bar clock waits for releases the bar", async () => {
  const s = await setup();
  s.sendBar(1);
  s.ack("a", 1);
  s.tell("t/risk", { type: "DisableStrategy", strategyId: "b", status: "QUARANTINED", reason: "x", flatten: true });
  assert.deepEqual(await barsDone(s), [1]);
  await s.host.stop();
});

Deno.test("restored: a strategy disabled by the last run is fed the replay up to its last bar, then disabled", async () => {
  const record = {
    status: "QUARANTINED",
    reason: "hung",
    since: 5,
    flatten: true,
    lastBar: { symbol: "X", ts: 2 * DAY },
  };
  const s = await setup({ disabledStrategies: { b: record } });
  assert.deepEqual((await s.risk()).strategies.b, {
    status: "QUARANTINED",
    reason: "hung",
    since: 5,
    flatten: true,
    lastBar: record.lastBar,
  });
  // The replay: b re-sends what it sent before (the venue adapter would skip it as already sent) and is waited for.
  const resent = s.submit("b", { qty: 4 });
  s.sendBar(1);
  s.ack("a", 1);
  s.ack("b", 1);
  s.sendBar(2);
  s.ack("a", 2);
  assert.deepEqual(await barsDone(s), [1]);
  s.ack("b", 2);
  assert.deepEqual(await barsDone(s), [1, 2]);
  const tapped = await s.tapped();
  const cut = tapped.findIndex((m) => m.type === "CancelAll");
  assert.ok(cut > 0 && tapped.slice(0, cut).some((m) => m.type === "SubmitOrder" && m.order.clientOrderId === resent));
  assert.deepEqual(tapped[cut], { type: "CancelAll", strategyId: "b" });
  const flatten = tapped[cut + 1] as Extract<ExchangeMessage, { type: "SubmitOrder" }>;
  assert.deepEqual([flatten.order.strategyId, flatten.order.side, flatten.order.qty], ["b", "sell", 4]);
  s.sendBar(3);
  s.ack("a", 3);
  assert.deepEqual(await barsDone(s), [1, 2, 3]);
  assert.deepEqual(await barsOf(s, "t/b"), [1, 2]);
  const denied = s.submit("b", { qty: 1 });
  assert.deepEqual((await denials(s, "t/b")).map((d) => d.clientOrderId), [denied]);
  const again = (await journaled(s)).find((e) => e.type === "strategy:QUARANTINED")!;
  assert.equal(again.payload.detail, "b: hung (restored after a restart)");
  assert.deepEqual(again.payload.strategy, { strategyId: "b", ...record });
  await s.host.stop();
});

Deno.test("restored: a bar past the last one disables at once; without a last bar the strategy is never fed", async () => {
  const past = await setup({
    disabledStrategies: {
      b: { status: "STOPPED", reason: "loss", since: 5, flatten: false, lastBar: { symbol: "X", ts: 1 * DAY } },
    },
  });
  past.sendBar(2); // the journal ended before b's last bar came back (or b never acked it)
  past.ack("a", 2);
  assert.deepEqual(await barsDone(past), [2]);
  assert.deepEqual(await barsOf(past, "t/b"), []);
  assert.equal((await past.risk()).strategies.b.status, "STOPPED");
  await past.host.stop();

  const never = await setup({
    disabledStrategies: { b: { status: "QUARANTINED", reason: "r", since: 5, flatten: true } },
  });
  never.sendBar(1);
  never.ack("a", 1);
  assert.deepEqual(await barsDone(never), [1]);
  assert.deepEqual(await barsOf(never, "t/b"), []);
  await never.host.stop();
});

Deno.test("strategy status: flatten is sent again on later bars until flat, five orders at most", async () => {
  const s = await setup({}, false); // no venue behind the tap: the test plays it
  const id = s.submit("a", { qty: 7 });
  const fill = (clientOrderId: string, side: "buy" | "sell", qty: number) => ({
    type: "OrderFilled",
    clientOrderId,
    strategyId: "a",
    filledQty: qty,
    fill: {
      fillId: `f-${clientOrderId}`,
      clientOrderId,
      venueOrderId: "v",
      strategyId: "a",
      venue: "sim",
      symbol: "X",
      side,
      qty,
      price: 100,
      commission: 0,
      commissionCurrency: "USD",
      liquidity: "taker",
      ts: 1,
    },
  });
  s.tell("t/risk", fill(id, "buy", 7));
  s.tell("t/risk", { type: "DisableStrategy", strategyId: "a", status: "STOPPED", reason: "loss", flatten: true });
  const flattens = async () =>
    (await s.tapped()).filter((m) => m.type === "SubmitOrder" && m.order.clientOrderId.startsWith("a-flatten-"))
      .map((m) => (m as Extract<ExchangeMessage, { type: "SubmitOrder" }>).order);
  assert.equal((await flattens()).length, 1);
  s.sendBar(1); // the first flatten order is still open: nothing new
  assert.equal((await flattens()).length, 1);
  // It fills only 3; the next bar sends the rest.
  s.tell("t/risk", fill((await flattens())[0].clientOrderId, "sell", 3));
  s.sendBar(2);
  assert.deepEqual((await flattens()).map((o) => o.qty), [7, 4]);
  // The venue keeps cancelling: after five orders the guardian gives up and says so.
  for (let i = 0; i < 6; i++) {
    const open = (await flattens()).at(-1)!;
    s.tell("t/risk", { type: "OrderCanceled", clientOrderId: open.clientOrderId, strategyId: "a", reason: "x", ts: 1 });
    s.sendBar(3 + i);
  }
  assert.equal((await flattens()).length, 5);
  assert.equal((await alerts(s)).filter((a) => a.message === "cannot flatten a disabled strategy").length, 1);
  assert.equal(position(await s.risk(), "a/X"), 4);
  await s.host.stop();
});
