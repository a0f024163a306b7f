/**
 * New parameters while running (Reconfigure): the strategy restarts with them between two bars. Its orders from
 * then on are the ones a strategy started with those parameters would send (its indicators rebuilt from the
 * remembered bars, without trading), its order ids keep counting, and a crash after the change restores the new
 * parameters from the snapshot.
 */
import assert from "node:assert/strict";
import { createInProcessHost, type Message, simulatedClock, type TreeEvent } from "../../../actors/runtime/mod.ts";
import type { Bar, SubmitOrder } from "../../../actors/protocol/mod.ts";
import { BUILT_INS } from "../../../strategies/registry.ts";

const SUPERVISOR = new URL("../../../actors/strategy_supervisor/strategy_supervisor.ts", import.meta.url).href;
const COMMANDS = new URL("./commands.ts", import.meta.url).href;
const DAY = 86_400_000;
const OLD = { fast: 10, slow: 30 };
const NEW = { fast: 4, slow: 11 };

// Deterministic prices with crossings of both parameter sets.
const bar = (i: number): Bar => {
  const close = 100 + 10 * Math.sin(i / 6) + 4 * Math.sin(i / 2.3) + i * 0.02;
  return {
    symbol: "X",
    timeframe: "1d",
    ts: i * DAY,
    open: close,
    high: close + 1,
    low: close - 1,
    close,
    volume: 1e6,
  };
};

const strategy = (id: string, params: Record<string, number>) => ({
  kind: "actor" as const,
  id,
  module: SUPERVISOR,
  config: {
    strategyId: id,
    module: BUILT_INS.sma_cross,
    params,
    symbols: ["X"],
    timeframe: "1d",
    riskPath: `t/risk-${id}`,
    capital: 10_000,
  },
});

Deno.test("strategy supervisor: Reconfigure restarts the strategy with new parameters, keeping its order ids", async () => {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  const events: TreeEvent[] = [];
  host.subscribe((e) => events.push(e));
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "risk-r", module: COMMANDS },
      { kind: "actor", id: "risk-f", module: COMMANDS },
      // r: the old parameters, then the new ones from bar 120; f: the new parameters from the start.
      strategy("r", OLD),
      strategy("f", NEW),
    ],
  });
  const feed = (from: number, to: number) => {
    for (let i = from; i <= to; i++) {
      clock.advanceTo(i * DAY);
      host.tell("t/r", { type: "Bar", bar: bar(i) });
      host.tell("t/f", { type: "Bar", bar: bar(i) });
      host.drain();
    }
  };
  const orders = async (id: string) => {
    const reply = host.ask<{ type: "Commands"; commands: Message[] }>(`t/risk-${id}`, { type: "GetCommands" }, 1_000);
    host.drain();
    return (await reply).commands.filter((c): c is SubmitOrder => c.type === "SubmitOrder").map((c) => c.order);
  };
  const shape = (o: SubmitOrder["order"]) => `${o.ts / DAY} ${o.side} ${JSON.stringify(o.sizing)}`;

  feed(1, 120);
  const before = await orders("r");
  assert.ok(before.length >= 2, "the old parameters traded before the change");
  host.tell("t/r", { type: "Reconfigure", params: NEW });
  host.drain();
  feed(121, 200);
  const r = (await orders("r")).slice(before.length);
  const f = (await orders("f")).filter((o) => o.ts > 120 * DAY);
  assert.ok(r.length >= 2, "the new parameters trade after the change");
  assert.deepEqual(r.map(shape), f.map(shape));
  // Order ids keep counting: none is reused.
  const ids = [...before, ...r].map((o) => Number(o.clientOrderId.split("-")[1]));
  assert.deepEqual(ids, ids.map((_, i) => i + 1));

  // A crash after the change: the restart restores the new parameters from the snapshot, not the config's.
  host.tell("t/r", { type: "Bar", bar: null } as never); // a poison message: receive throws
  host.drain();
  await host.idle();
  assert.ok(events.some((e) => e.type === "restarted" && e.path === "t/r"));
  const seen = (await orders("r")).length;
  host.tell("t/r", { type: "Reconfigure", params: { fast: 50, slow: 10 } }); // refused: fast ≥ slow
  host.drain();
  feed(201, 300);
  await host.idle();
  const afterCrash = (await orders("r")).slice(seen);
  const fAfter = (await orders("f")).filter((o) => o.ts > 200 * DAY);
  assert.ok(afterCrash.length >= 2);
  assert.deepEqual(afterCrash.map(shape), fAfter.map(shape));
  await host.stop();
});
