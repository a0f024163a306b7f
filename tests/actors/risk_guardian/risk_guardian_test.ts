/** The risk guardian through the in-process host: denials are events, limits move the trading state. */
import assert from "node:assert/strict";
import { createInProcessHost, simulatedClock } from "../../../actors/runtime/mod.ts";
import type { OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import type { RiskLimits } from "../../../actors/risk_guardian/checks.ts";
import { testOrder } from "./orders.ts";

const module = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const RECORDER = new URL("./recorder.ts", import.meta.url).href;

async function setup(limits: RiskLimits, extra: Record<string, unknown> = {}) {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "owner", module: RECORDER },
      {
        kind: "actor",
        id: "risk",
        module: module("risk_guardian/risk_guardian.ts"),
        config: { limits, exchanges: { sim: "t/exchange" }, ...extra },
      },
      {
        kind: "actor",
        id: "exchange",
        module: module("exchange/sim/sim_exchange.ts"),
        config: { sim: { initialCash: 1_000_000, fillAt: "close" }, fillSubscribers: [] },
      },
    ],
  });
  host.tell("t/exchange", {
    type: "Bar",
    bar: { symbol: "X", timeframe: "1d", ts: 0, open: 100, high: 100, low: 100, close: 100, volume: 1e9 },
  });
  host.drain();
  let n = 0;
  const submit = (fields: Partial<OrderRequest>) => {
    const order = testOrder(`s-${++n}`, "s", clock.now(), fields);
    host.tell("t/risk", { type: "SubmitOrder", order, replyTo: "t/owner" });
    host.drain();
  };
  const events = async () => {
    const reply = host.ask<{ type: "Events"; events: OrderEvent[] }>("t/owner", { type: "GetEvents" }, 1_000);
    host.drain();
    return (await reply).events;
  };
  return { host, clock, submit, events };
}

Deno.test("risk: orders beyond the limits are denied with a reason; the owner gets every event", async () => {
  const { host, submit, events } = await setup({ maxOrderNotional: 5_000, maxPositionQty: 30, priceBand: 0.1 });
  submit({ qty: 20 }); // 2,000: fine
  submit({ qty: 60 }); // 6,000 notional: denied
  submit({ qty: 20 }); // position would be 40 > 30: denied
  submit({ type: "limit", limitPrice: 120, qty: 1 }); // outside ±10 %
  submit({ side: "sell", qty: 20 }); // reducing: always allowed
  const got = await events();
  const denials = got.filter((e) => e.type === "OrderDenied").map((e) => (e as { reason: string }).reason);
  assert.equal(denials.length, 3);
  assert.match(denials[0], /order notional 6000\.00 exceeds 5000/);
  assert.match(denials[1], /position would be 40 X, beyond the limit of 30/);
  assert.match(denials[2], /price 120 is outside ±10% of the last price 100/);
  assert.equal(got.filter((e) => e.type === "OrderFilled").length, 2);
  await host.stop();
});

Deno.test("risk: a drawdown moves trading to REDUCING, the daily loss limit to HALTED, the kill switch flattens", async () => {
  const { host, submit, events } = await setup({ maxDrawdown: 0.1, dailyLossLimit: 1_500 });
  submit({ qty: 10 });
  host.tell("t/risk", { type: "EquityUpdate", equity: 10_000, ts: 0 });
  host.tell("t/risk", { type: "EquityUpdate", equity: 8_900, ts: 1 });
  host.drain();
  submit({ qty: 1 }); // grows the position: denied while REDUCING
  submit({ side: "sell", qty: 5 }); // reduces: allowed
  host.tell("t/risk", { type: "EquityUpdate", equity: 8_000, ts: 2 });
  host.drain();
  submit({ side: "sell", qty: 1 });
  const state = host.ask<{ type: "RiskState"; trading: string }>("t/risk", { type: "GetRiskState" }, 1_000);
  host.drain();
  assert.equal((await state).trading, "HALTED");
  const got = await events();
  const reasons = got.filter((e) => e.type === "OrderDenied").map((e) => (e as { reason: string }).reason);
  assert.match(reasons[0], /REDUCING/);
  assert.match(reasons[1], /HALTED/);

  host.tell("t/risk", { type: "SetTradingState", state: "ACTIVE", reason: "test" });
  host.tell("t/risk", { type: "KillSwitch", reason: "operator" });
  host.drain();
  const after = await events();
  const last = after.filter((e) => e.type === "OrderFilled").at(-1) as Extract<OrderEvent, { type: "OrderFilled" }>;
  assert.equal(last.fill.side, "sell");
  assert.equal(last.fill.qty, 5); // flattened the remaining 5
  await host.stop();
});

const DAY = 86_400_000;

Deno.test("risk: the daily loss counts from the day before's last equity, so it fires on daily bars", async () => {
  const { host } = await setup({ dailyLossLimit: 500 });
  const trading = async () => {
    const reply = host.ask<{ type: "RiskState"; trading: string }>("t/risk", { type: "GetRiskState" }, 1_000);
    host.drain();
    return (await reply).trading;
  };
  // One update per daily bar: each day's loss is the step from the previous bar's equity.
  host.tell("t/risk", { type: "EquityUpdate", equity: 10_000, ts: 0 });
  host.tell("t/risk", { type: "EquityUpdate", equity: 9_700, ts: DAY }); // −300: fine
  host.drain();
  assert.equal(await trading(), "ACTIVE");
  host.tell("t/risk", { type: "EquityUpdate", equity: 9_150, ts: 2 * DAY }); // −550 since yesterday's close
  host.drain();
  assert.equal(await trading(), "HALTED");
  await host.stop();
});

Deno.test("risk: limits change while running — validated as a whole, journaled, in force from the next order", async () => {
  const { host, submit, events } = await setup({ maxPositionQty: 100 });
  const change = async (msg: Record<string, unknown>) => {
    const reply = host.ask<{ type: string; errors?: string[] }>("t/risk", { type: "SetLimits", ...msg }, 1_000);
    host.drain();
    return await reply;
  };
  submit({ qty: 20 });
  const refused = await change({
    scope: { kind: "account" },
    limits: { maxPositionQty: -1, maxWhatever: 3, maxOrderNotional: 10 },
    reason: "typo",
  });
  assert.equal(refused.type, "LimitsRejected");
  assert.equal(refused.errors?.length, 2);
  submit({ qty: 20 }); // still under the old limit of 100 (the valid part of a refused change is not applied)
  const ok = await change({ scope: { kind: "account" }, limits: { maxPositionQty: 30 }, reason: "calmer", by: "test" });
  assert.equal(ok.type, "LimitsSet");
  submit({ qty: 20 }); // 60 > 30: denied now
  await change({ scope: { kind: "strategy", strategyId: "s" }, limits: { maxOrderNotional: 150 }, reason: "cap" });
  submit({ side: "sell", qty: 2 }); // 200 > 150 for strategy s
  await change({ scope: { kind: "account" }, limits: { maxPositionQty: null }, reason: "lift" });
  submit({ qty: 1 }); // no position limit any more; 100 ≤ 150
  const got = await events();
  const denied = got.filter((e) => e.type === "OrderDenied").map((e) => (e as { reason: string }).reason);
  assert.deepEqual(denied, [
    "position would be 60 X, beyond the limit of 30",
    "order notional 200.00 exceeds 150 for strategy s",
  ]);
  assert.equal(got.filter((e) => e.type === "OrderFilled").length, 3);
  const state = host.ask<{ type: "RiskState"; decisions: { decision: string; detail: string }[] }>(
    "t/risk",
    { type: "GetRiskState" },
    1_000,
  );
  host.drain();
  const changes = (await state).decisions.filter((d) => d.decision === "limits");
  assert.equal(changes.length, 3);
  assert.match(changes[0].detail, /"maxPositionQty":30.* by test: calmer/);
  await host.stop();
});

Deno.test("risk: a strategy past its own max loss or drawdown is stopped and flattened; the others trade on", async () => {
  const { host, submit, events } = await setup({}, {
    strategyLimits: { s: { maxLoss: 1_000 }, t: { maxDrawdown: 0.2 } },
    strategyCapital: { s: 10_000, t: 10_000, u: 10_000 },
    owners: { s: "t/owner", t: "t/owner", u: "t/owner" },
  });
  submit({ strategyId: "s", qty: 10 });
  submit({ strategyId: "t", qty: 10 });
  submit({ strategyId: "u", qty: 10 });
  const update = (s: number, t: number, ts: number) =>
    host.tell("t/risk", { type: "EquityUpdate", equity: s + t + 10_000, ts, strategies: { s, t, u: 10_000 } });
  update(9_500, 12_000, 1); // s lost 500 of 1,000; t is 20 % up (its peak)
  host.drain();
  update(8_900, 10_000, 2); // s lost 1,100: stopped; t is 16.7 % below its peak: fine
  host.drain();
  update(8_900, 9_500, 3); // t is 20.8 % below its peak: stopped
  host.drain();
  submit({ strategyId: "s", qty: 1 }); // denied: stopped
  submit({ strategyId: "u", qty: 1 }); // u trades on
  const reply = host.ask<{ type: "RiskState"; strategies: Record<string, { status: string; reason?: string }> }>(
    "t/risk",
    { type: "GetRiskState" },
    1_000,
  );
  host.drain();
  const { strategies } = await reply;
  assert.equal(strategies.s.status, "STOPPED");
  assert.match(strategies.s.reason ?? "", /loss 1100\.00 ≥ maxLoss 1000/);
  assert.equal(strategies.t.status, "STOPPED");
  assert.match(strategies.t.reason ?? "", /drawdown 20\.83% ≥ maxDrawdown 20%/);
  assert.equal(strategies.u.status, "ACTIVE");
  const got = await events();
  const sells = got.filter((e) => e.type === "OrderFilled" && e.fill.side === "sell") as Extract<
    OrderEvent,
    { type: "OrderFilled" }
  >[];
  assert.deepEqual(sells.map((e) => [e.fill.strategyId, e.fill.qty]), [["s", 10], ["t", 10]]); // both flattened
  const denied = got.filter((e) => e.type === "OrderDenied") as { strategyId: string; reason: string }[];
  assert.deepEqual(denied.map((e) => e.strategyId), ["s"]);
  assert.match(denied[0].reason, /strategy s is STOPPED/);
  assert.equal(got.filter((e) => e.type === "OrderFilled" && e.fill.strategyId === "u").length, 2);
  await host.stop();
});
