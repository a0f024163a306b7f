/**
 * The risk guardian with several venues: orders go to their venue's exchange, each venue's own limits count only
 * that venue's book (the account's still count everything), bars reach only the strategies of the venue that sent
 * them, and a kill switch or a strategy's flatten closes each position at the venue that holds it.
 */
import assert from "node:assert/strict";
import { createInProcessHost, simulatedClock } from "../../../actors/runtime/mod.ts";
import type { Bar, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import type { RiskLimits } from "../../../actors/risk_guardian/checks.ts";
import { testOrder } from "./orders.ts";

const module = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const RECORDER = new URL("./recorder.ts", import.meta.url).href;
const RELAY = new URL("./fixtures/bar_relay.ts", import.meta.url).href;

const bar = (symbol: string, price: number, ts = 0): Bar => ({
  symbol,
  timeframe: "1d",
  ts,
  open: price,
  high: price,
  low: price,
  close: price,
  volume: 1e9,
});

async function setup(limits: RiskLimits, extra: Record<string, unknown> = {}) {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  const exchange = (venue: string) => ({
    kind: "actor" as const,
    id: `ex-${venue}`,
    module: module("exchange/sim/sim_exchange.ts"),
    config: { sim: { venue, initialCash: 1_000_000, fillAt: "close" }, fillSubscribers: [] },
  });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "a", module: RECORDER },
      { kind: "actor", id: "b", module: RECORDER },
      {
        kind: "actor",
        id: "risk",
        module: module("risk_guardian/risk_guardian.ts"),
        config: {
          limits,
          exchanges: { us: "t/ex-us", eu: "t/ex-eu" },
          strategyVenues: { a: "us", b: "eu" },
          owners: { a: "t/a", b: "t/b" },
          barSubscribers: { X: ["t/a", "t/b"] },
          ...extra,
        },
      },
      exchange("us"),
      exchange("eu"),
    ],
  });
  for (const venue of ["us", "eu"]) host.tell(`t/ex-${venue}`, { type: "Bar", bar: bar("X", 100) });
  host.drain();
  let n = 0;
  const submit = (strategyId: "a" | "b", fields: Partial<OrderRequest> = {}) => {
    const venue = strategyId === "a" ? "us" : "eu";
    const order = testOrder(`${strategyId}-${++n}`, strategyId, clock.now(), { venue, ...fields });
    host.tell("t/risk", { type: "SubmitOrder", order, replyTo: `t/${strategyId}` });
    host.drain();
  };
  const events = async (who: "a" | "b") => {
    const reply = host.ask<{ type: "Events"; events: OrderEvent[] }>(`t/${who}`, { type: "GetEvents" }, 1_000);
    host.drain();
    return (await reply).events;
  };
  return { host, submit, events };
}

const fills = (events: OrderEvent[]) => events.flatMap((e) => (e.type === "OrderFilled" ? [e.fill] : []));

Deno.test("venues: each order reaches its own venue's exchange", async () => {
  const { host, submit, events } = await setup({});
  submit("a", { qty: 3 });
  submit("b", { qty: 4 });
  assert.deepEqual(fills(await events("a")).map((f) => [f.venue, f.qty]), [["us", 3]]);
  assert.deepEqual(fills(await events("b")).map((f) => [f.venue, f.qty]), [["eu", 4]]);
  await host.stop();
});

Deno.test("venues: a venue's own limits count only that venue's book; the account's count every venue", async () => {
  const { host, submit, events } = await setup(
    { maxPositionQty: 14 },
    { venueLimits: { eu: { maxPositionQty: 5, maxOrderNotional: 450 } } },
  );
  submit("a", { qty: 8 }); // us: no venue limit; account 8 ≤ 14
  submit("b", { qty: 5 }); // eu: 500 notional > 450, eu's own limit
  submit("b", { qty: 4 }); // eu: 4 ≤ 5, 400 ≤ 450; account 12 ≤ 14
  submit("b", { qty: 2 }); // eu: 6 > 5
  submit("a", { qty: 3 }); // us has no limit, but the account would be 15 > 14
  submit("a", { qty: 2 }); // account 14 ≤ 14
  const denied = (events: OrderEvent[]) =>
    events.flatMap((e) => (e.type === "OrderDenied" ? [(e as { reason: string }).reason] : []));
  const b = await events("b");
  assert.deepEqual(fills(b).map((f) => f.qty), [4]);
  assert.equal(denied(b).length, 2);
  assert.match(denied(b)[0], /order notional 500\.00 exceeds 450 at venue eu/);
  assert.match(denied(b)[1], /position would be 6 X, beyond the limit of 5 at venue eu/);
  const a = await events("a");
  assert.deepEqual(fills(a).map((f) => f.qty), [8, 2]);
  assert.equal(denied(a).length, 1);
  assert.match(denied(a)[0], /position would be 11 X, beyond the limit of 14 \(other strategies hold or may get 4\)/);
  await host.stop();
});

Deno.test("venues: a venue's position limit ignores what the same strategy ids hold elsewhere", async () => {
  const { host, submit, events } = await setup({}, { venueLimits: { us: { maxPositionQty: 10 } } });
  submit("b", { qty: 50 }); // at eu: the us limit does not see it
  submit("a", { qty: 10 }); // at us: 10 ≤ 10
  submit("a", { qty: 1 }); // 11 > 10 at us
  assert.deepEqual(fills(await events("b")).map((f) => f.qty), [50]);
  const a = await events("a");
  assert.deepEqual(fills(a).map((f) => f.qty), [10]);
  assert.match((a.find((e) => e.type === "OrderDenied") as { reason: string }).reason, /at venue us/);
  await host.stop();
});

Deno.test("venues: a bar from one venue's adapter reaches only that venue's strategies", async () => {
  const host = createInProcessHost({ clock: simulatedClock(0), logSink: () => {}, autoDrain: false });
  const relay = (id: string) => ({ kind: "actor" as const, id, module: RELAY });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      relay("ra"),
      relay("rb"),
      relay("src-us"),
      relay("src-eu"),
      {
        kind: "actor",
        id: "risk",
        module: module("risk_guardian/risk_guardian.ts"),
        config: {
          limits: {},
          exchanges: { us: "t/src-us", eu: "t/src-eu" },
          strategyVenues: { a: "us", b: "eu" },
          owners: { a: "t/ra", b: "t/rb" },
          barSubscribers: { X: ["t/ra", "t/rb"] },
        },
      },
    ],
  });
  host.tell("t/src-eu", { type: "Relay", bar: bar("X", 101, 1) });
  host.tell("t/src-us", { type: "Relay", bar: bar("X", 102, 2) });
  host.tell("t/src-us", { type: "Relay", bar: bar("X", 103, 3) });
  host.drain();
  const barsOf = async (path: string) => {
    const reply = host.ask<{ type: "Bars"; bars: Bar[] }>(path, { type: "GetBars" }, 1_000);
    host.drain();
    return (await reply).bars.map((b) => b.close);
  };
  assert.deepEqual(await barsOf("t/ra"), [102, 103]);
  assert.deepEqual(await barsOf("t/rb"), [101]);
  await host.stop();
});

Deno.test("venues: a strategy added while running gets its venue's bars after its position, as a replay would", async () => {
  const host = createInProcessHost({ clock: simulatedClock(0), logSink: () => {}, autoDrain: false });
  const relay = (id: string) => ({ kind: "actor" as const, id, module: RELAY });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      relay("ra"),
      relay("rc"),
      relay("src-us"),
      relay("src-eu"),
      {
        kind: "actor",
        id: "risk",
        module: module("risk_guardian/risk_guardian.ts"),
        config: {
          limits: {},
          exchanges: { us: "t/src-us", eu: "t/src-eu" },
          strategyVenues: { a: "us" },
          owners: { a: "t/ra" },
          barSubscribers: { X: ["t/ra"] },
        },
      },
    ],
  });
  const add = async (venue: string) => {
    const reply = host.ask<{ type: string; error?: string }>("t/risk", {
      type: "AddStrategy",
      strategyId: "c",
      path: "t/rc",
      symbols: ["X"],
      capital: 1_000,
      venue,
      reason: "test",
    }, 1_000);
    host.drain();
    return await reply;
  };
  const refused = await add("asia");
  assert.equal(refused.type, "RosterRefused");
  assert.match(refused.error!, /no exchange configured for venue "asia"/);
  // us is a bar ahead of eu (each venue's replay runs on its own): c joins after us's bar of time 1.
  host.tell("t/src-us", { type: "Relay", bar: bar("X", 101, 1) });
  host.drain();
  assert.equal((await add("eu")).type, "RosterChanged");
  host.tell("t/src-eu", { type: "Relay", bar: bar("X", 201, 1) }); // at its position: a replay would not feed it
  host.tell("t/src-us", { type: "Relay", bar: bar("X", 102, 2) }); // us: not its venue
  host.tell("t/src-eu", { type: "Relay", bar: bar("X", 202, 2) });
  host.drain();
  const barsOf = async (path: string) => {
    const reply = host.ask<{ type: "Bars"; bars: Bar[] }>(path, { type: "GetBars" }, 1_000);
    host.drain();
    return (await reply).bars.map((b) => b.close);
  };
  assert.deepEqual(await barsOf("t/rc"), [202]);
  assert.deepEqual(await barsOf("t/ra"), [101, 102]);
  await host.stop();
});

Deno.test("venues: rules a venue resolved itself are checked like configured ones; configured fields win", async () => {
  const { host, submit, events } = await setup({}, { instruments: { us: { X: { stepSize: 2 } } } });
  host.tell("t/risk", {
    type: "VenueInstruments",
    venue: "us",
    instruments: { X: { tickSize: 0.5, stepSize: 1, minQty: 1 }, Y: { multiplier: 50 } },
  });
  host.drain();
  submit("a", { qty: 5 }); // the configured step (2) wins over the venue's (1): 4
  submit("a", { type: "limit", limitPrice: 100.25, qty: 2 }); // the venue's tick: denied
  submit("b", { type: "limit", limitPrice: 100.25 }); // eu resolved nothing
  const a = await events("a");
  assert.deepEqual(fills(a).map((f) => f.qty), [4]);
  assert.match((a.find((e) => e.type === "OrderDenied") as { reason: string }).reason, /tick size 0\.5/);
  assert.equal((await events("b")).some((e) => e.type === "OrderDenied"), false);
  await host.stop();
});

Deno.test("venues: the kill switch flattens each position at the venue that holds it", async () => {
  const { host, submit, events } = await setup({});
  submit("a", { qty: 3 });
  submit("b", { side: "sell", qty: 4 });
  host.tell("t/risk", { type: "KillSwitch", reason: "test" });
  host.drain();
  const a = fills(await events("a"));
  const b = fills(await events("b"));
  assert.deepEqual(a.map((f) => [f.venue, f.side, f.qty]), [["us", "buy", 3], ["us", "sell", 3]]);
  assert.deepEqual(b.map((f) => [f.venue, f.side, f.qty]), [["eu", "sell", 4], ["eu", "buy", 4]]);
  const state = host.ask<{ type: "RiskState"; positions: { key: string; qty: number }[] }>(
    "t/risk",
    { type: "GetRiskState" },
    1_000,
  );
  host.drain();
  assert.ok((await state).positions.every((p) => p.qty === 0));
  await host.stop();
});

Deno.test("venues: a stopped strategy's position is flattened at its venue", async () => {
  const { host, submit, events } = await setup({});
  submit("b", { qty: 2 });
  host.tell("t/risk", { type: "DisableStrategy", strategyId: "b", status: "STOPPED", reason: "test", flatten: true });
  host.drain();
  assert.deepEqual(fills(await events("b")).map((f) => [f.venue, f.side, f.qty]), [["eu", "buy", 2], [
    "eu",
    "sell",
    2,
  ]]);
  await host.stop();
});

Deno.test("venues: an account equity not known yet (NaN: a quoted rate unseen) does not poison the drawdown", async () => {
  const { host } = await setup({ maxDrawdown: 0.1 });
  const state = async () => {
    const reply = host.ask<{ type: "RiskState"; trading: string; peakEquity: number | null }>(
      "t/risk",
      { type: "GetRiskState" },
      1_000,
    );
    host.drain();
    return await reply;
  };
  host.tell("t/risk", { type: "EquityUpdate", equity: NaN, ts: 0 });
  host.tell("t/risk", { type: "EquityUpdate", equity: 10_000, ts: 1 });
  host.drain();
  assert.equal((await state()).peakEquity, 10_000);
  host.tell("t/risk", { type: "EquityUpdate", equity: 8_900, ts: 2 });
  host.drain();
  assert.equal((await state()).trading, "REDUCING");
  await host.stop();
});
