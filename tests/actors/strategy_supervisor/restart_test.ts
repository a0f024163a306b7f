/**
 * A strategy that crashes is restarted from its supervisor's snapshot: same positions, same order sequence
 * (no client order id is ever reused), indicators warmed up again from the remembered bars.
 */
import assert from "node:assert/strict";
import { createInProcessHost, simulatedClock, type TreeEvent } from "../../../actors/runtime/mod.ts";
import type { Bar } from "../../../actors/protocol/mod.ts";

const actor = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const STRATEGY = new URL("./fixtures.ts", import.meta.url).href;
const RECORDER = new URL("../risk_guardian/recorder.ts", import.meta.url).href;

type StrategyState = { type: "StrategyState"; orderSeq: number; positions: { symbol: string; qty: number }[] };

Deno.test("strategy supervisor: a crash restarts the strategy from its snapshot, order ids keep counting", async () => {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  const events: TreeEvent[] = [];
  host.subscribe((e) => events.push(e));
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "risk", module: RECORDER },
      {
        kind: "actor",
        id: "s",
        module: actor("strategy_supervisor/strategy_supervisor.ts"),
        config: {
          strategyId: "s",
          module: STRATEGY,
          symbols: ["X"],
          timeframe: "1d",
          riskPath: "t/risk",
          capital: 1_000,
        },
      },
    ],
  });
  const bar = (i: number, volume = 1): Bar => ({
    symbol: "X",
    timeframe: "1d",
    ts: i * 86_400_000,
    open: 10,
    high: 11,
    low: 9,
    close: 10 + i,
    volume,
  });
  const state = async () => {
    const reply = host.ask<StrategyState>("t/s", { type: "GetStrategyState" }, 1_000);
    host.drain();
    return await reply;
  };
  for (let i = 1; i <= 7; i++) {
    clock.advanceTo(i * 86_400_000);
    host.tell("t/s", { type: "Bar", bar: bar(i) });
    host.drain();
  }
  // A fill for the first order, so the snapshot carries a position.
  host.tell("t/s", {
    type: "OrderFilled",
    clientOrderId: "s-1",
    strategyId: "s",
    filledQty: 1,
    fill: {
      fillId: "f1",
      clientOrderId: "s-1",
      venueOrderId: "v1",
      strategyId: "s",
      venue: "sim",
      symbol: "X",
      side: "buy",
      qty: 1,
      price: 15,
      commission: 0,
      commissionCurrency: "USD",
      liquidity: "taker",
      ts: 5 * 86_400_000,
    },
  });
  host.drain();
  const before = await state();
  assert.equal(before.orderSeq, 1);

  host.tell("t/s", { type: "Bar", bar: bar(8, -1) });
  host.drain();
  await host.idle();
  assert.ok(events.some((e) => e.type === "crashed" && e.path === "t/s"));
  assert.ok(events.some((e) => e.type === "restarted" && e.path === "t/s"));

  const after = await state();
  assert.equal(after.orderSeq, 1);
  assert.deepEqual(after.positions.map((p) => [p.symbol, p.qty]), [["X", 1]]);
  for (let i = 9; i <= 11; i++) {
    host.tell("t/s", { type: "Bar", bar: bar(i) });
    host.drain();
  }
  // The warm-up replay of the 7 good bars rebuilt the count without trading; bars 9-11 make it 10: one new
  // order, numbered after the snapshot's sequence (s-2), so no client order id repeats.
  assert.equal((await state()).orderSeq, 2);
  await host.stop();
});
