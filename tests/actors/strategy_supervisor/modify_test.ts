/**
 * The supervisor's side of modify: the intent becomes a ModifyOrder with a deterministic id and snapped prices;
 * `ctx.brackets()` follows the strategy's bracket (filled, moved, a refused move undone, ended by its exit); a move to
 * where the stop already is is not sent.
 */
import assert from "node:assert/strict";
import { createInProcessHost, type Message, simulatedClock, type TreeEvent } from "../../../actors/runtime/mod.ts";
import type { Bar, Fill, ModifyOrder, OrderEvent } from "../../../actors/protocol/mod.ts";
import type { BracketView } from "../../../strategies/api.ts";

const actor = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const STRATEGY = new URL("./modify_fixture.ts", import.meta.url).href;
const COMMANDS = new URL("./commands.ts", import.meta.url).href;
const DAY = 86_400_000;

async function setup() {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  const tree: TreeEvent[] = [];
  host.subscribe((e) => tree.push(e));
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "risk", module: COMMANDS },
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
          ticks: { X: 0.5 },
        },
      },
    ],
  });
  const bar = (i: number, close: number, volume = 1) => {
    const b: Bar = {
      symbol: "X",
      timeframe: "1d",
      ts: i * DAY,
      open: close,
      high: close,
      low: close,
      close,
      volume,
    };
    clock.advanceTo(b.ts);
    host.tell("t/s", { type: "Bar", bar: b });
    host.drain();
  };
  const event = (e: OrderEvent) => {
    host.tell("t/s", e);
    host.drain();
  };
  const ask = async <R>(path: string, type: string) => {
    const reply = host.ask<Message & R>(path, { type }, 1_000);
    host.drain();
    return await reply;
  };
  const modifies = async () =>
    (await ask<{ commands: Message[] }>("t/risk", "GetCommands")).commands.filter((c): c is ModifyOrder =>
      c.type === "ModifyOrder"
    );
  const brackets = async () => (await ask<{ brackets: BracketView[] }>("t/s", "GetStrategyState")).brackets;
  return { host, bar, event, modifies, brackets, tree };
}

const fill = (clientOrderId: string, side: "buy" | "sell", price: number): Fill => ({
  fillId: `f-${clientOrderId}`,
  clientOrderId,
  venueOrderId: "v",
  strategyId: "s",
  venue: "sim",
  symbol: "X",
  side,
  qty: 2,
  price,
  commission: 0,
  commissionCurrency: "USD",
  liquidity: "taker",
  ts: 0,
});

Deno.test("strategy supervisor: a trailing stop becomes snapped ModifyOrders; the bracket view follows the answers", async () => {
  const t = await setup();
  t.bar(1, 10);
  assert.deepEqual(await t.brackets(), [
    { parent: "s-1", symbol: "X", side: "buy", stopLoss: 9.5, takeProfit: 20, entryFilled: 0 },
  ]);
  t.bar(2, 12); // not filled yet: nothing to trail
  assert.deepEqual(await t.modifies(), []);
  t.event({ type: "OrderFilled", clientOrderId: "s-1", strategyId: "s", fill: fill("s-1", "buy", 10), filledQty: 2 });
  t.bar(3, 12.2); // 11.2 → snapped to the tick (0.5): 11
  const [first] = await t.modifies();
  assert.deepEqual(
    [first.clientOrderId, first.modifyId, first.trade, first.changes, first.strategyId],
    ["s-1", "s-1~2", true, { stopLoss: 11 }, "s"],
  );
  assert.equal((await t.brackets())[0].stopLoss, 11, "shown at once");
  t.bar(4, 12.1); // 11.1 snaps to 11 again: not sent
  assert.equal((await t.modifies()).length, 1);
  t.bar(5, 13); // 12: sent
  const second = (await t.modifies())[1];
  assert.deepEqual(second.changes, { stopLoss: 12 });
  t.event({
    type: "OrderModifyRejected",
    clientOrderId: "s-1",
    strategyId: "s",
    modifyId: second.modifyId,
    reason: "test",
    denied: true,
    ts: 0,
  });
  assert.equal((await t.brackets())[0].stopLoss, 11, "a refused move is undone");
  t.event({
    type: "OrderFilled",
    clientOrderId: "s-1-sl",
    strategyId: "s",
    fill: fill("s-1-sl", "sell", 11),
    filledQty: 2,
  });
  assert.deepEqual(await t.brackets(), [], "the exit filled: the trade is over");
  t.bar(6, 20);
  assert.equal((await t.modifies()).length, 2, "nothing left to trail");
  await t.host.stop();
});

Deno.test("strategy supervisor: a restart keeps the bracket book; trailing goes on from the moved stop", async () => {
  const t = await setup();
  t.bar(1, 10);
  t.event({ type: "OrderFilled", clientOrderId: "s-1", strategyId: "s", fill: fill("s-1", "buy", 10), filledQty: 2 });
  t.bar(2, 13); // stop → 12
  t.bar(3, 12, -1); // the strategy throws: restarted from the supervisor's snapshot
  await t.host.idle();
  assert.ok(t.tree.some((e) => e.type === "restarted" && e.path === "t/s"), "restarted");
  assert.deepEqual(await t.brackets(), [
    { parent: "s-1", symbol: "X", side: "buy", stopLoss: 12, takeProfit: 20, entryFilled: 2 },
  ]);
  t.bar(4, 12.9); // 11.9: below the kept stop (12), nothing asked
  t.bar(5, 14); // 13
  assert.deepEqual((await t.modifies()).map((m) => [m.modifyId, m.changes.stopLoss]), [["s-1~2", 12], ["s-1~3", 13]]);
  await t.host.stop();
});
