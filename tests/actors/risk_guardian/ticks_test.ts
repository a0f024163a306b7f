/**
 * Ticks through the risk guardian (live): each reaches the strategies of its symbol at the venue it came from, never
 * one that is stopped; a strategy that has not handled its last tick gets only the newest per symbol once it has,
 * so a slow strategy costs a bounded amount (one tick per symbol held, one per symbol in its mailbox); bars are not
 * held up by unanswered ticks; a crashed strategy's lost acknowledgement does not stop its ticks for good.
 */
import assert from "node:assert/strict";
import { createInProcessHost, simulatedClock } from "../../../actors/runtime/mod.ts";
import type { Bar, Tick } from "../../../actors/protocol/mod.ts";
import { LOST_AFTER_MS } from "../../../actors/risk_guardian/tick_flow.ts";

const GUARDIAN = new URL("../../../actors/risk_guardian/risk_guardian.ts", import.meta.url).href;
const PROBE = new URL("./fixtures/tick_probe.ts", import.meta.url).href;
const RELAY = new URL("./fixtures/bar_relay.ts", import.meta.url).href;

const tick = (symbol: string, price: number, ts = 0): Tick => ({ symbol, ts, price, size: 0 });

async function setup() {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {}, autoDrain: false });
  const probe = (id: string) => ({ kind: "actor" as const, id, module: PROBE });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      probe("a"),
      probe("b"),
      probe("c"),
      probe("ex-us"),
      probe("ex-eu"),
      { kind: "actor", id: "bars", module: RELAY },
      {
        kind: "actor",
        id: "risk",
        module: GUARDIAN,
        config: {
          limits: {},
          exchanges: { us: "t/ex-us", eu: "t/ex-eu" },
          strategyVenues: { a: "us", b: "us", c: "eu" },
          owners: { a: "t/a", b: "t/b", c: "t/c" },
          barSubscribers: { X: ["t/a", "t/b", "t/c"], Y: ["t/a"] },
        },
      },
    ],
  });
  host.drain();
  const send = (venue: "us" | "eu", t: Tick) => {
    host.tell(`t/ex-${venue}`, { type: "RelayTick", tick: t });
    host.drain();
  };
  const ack = (who: string) => {
    host.tell(`t/${who}`, { type: "Ack", strategyId: who });
    host.drain();
  };
  const got = async (who: string) => {
    const reply = host.ask<{ type: string; ticks: Tick[] }>(`t/${who}`, { type: "GetTicks" }, 1_000);
    host.drain();
    return (await reply).ticks.map((t) => `${t.symbol}@${t.price}`);
  };
  return { host, clock, send, ack, got };
}

Deno.test("ticks: each reaches its symbol's strategies at the venue it came from", async () => {
  const { host, send, got } = await setup();
  send("us", tick("X", 1));
  send("eu", tick("X", 2));
  send("us", tick("Y", 3));
  assert.deepEqual(await got("a"), ["X@1"]); // Y@3 waits: a has not handled X@1
  assert.deepEqual(await got("b"), ["X@1"]);
  assert.deepEqual(await got("c"), ["X@2"]);
  await host.stop();
});

Deno.test("ticks: a strategy behind gets only the newest per symbol once it has handled what it had", async () => {
  const { host, send, ack, got } = await setup();
  send("us", tick("X", 1));
  for (let p = 2; p <= 50; p++) send("us", tick("X", p));
  send("us", tick("Y", 7));
  send("us", tick("Y", 8));
  assert.deepEqual(await got("a"), ["X@1"], "nothing more while X@1 is unanswered");
  ack("a");
  assert.deepEqual(await got("a"), ["X@1", "X@50", "Y@8"], "the newest of each symbol, one batch");
  send("us", tick("X", 51));
  assert.deepEqual(await got("a"), ["X@1", "X@50", "Y@8"], "the batch is not answered in full yet");
  ack("a");
  ack("a");
  assert.deepEqual(await got("a"), ["X@1", "X@50", "Y@8", "X@51"]);
  // b acknowledges every tick at once: it misses none.
  const { host: h2, send: send2, ack: ack2, got: got2 } = await setup();
  for (let p = 1; p <= 5; p++) {
    send2("us", tick("X", p));
    ack2("b");
  }
  assert.deepEqual(await got2("b"), ["X@1", "X@2", "X@3", "X@4", "X@5"]);
  await h2.stop();
  await host.stop();
});

Deno.test("ticks: a stopped strategy gets none; unanswered ticks never hold a bar back", async () => {
  const { host, send, got } = await setup();
  host.tell("t/risk", { type: "DisableStrategy", strategyId: "b", status: "STOPPED", reason: "test", flatten: false });
  host.drain();
  send("us", tick("X", 1));
  assert.deepEqual(await got("b"), []);
  const bar: Bar = { symbol: "X", timeframe: "1m", ts: 60_000, open: 1, high: 1, low: 1, close: 1, volume: 1 };
  // `a` has an unanswered tick; the bar still reaches it, and the tick path never waits on bars either.
  host.tell("t/risk", { type: "Bar", bar });
  host.drain();
  const reply = host.ask<{ type: string; bars: Bar[] }>("t/a", { type: "GetTicks" }, 1_000);
  host.drain();
  assert.deepEqual((await reply).bars.map((b) => b.ts), [60_000]);
  send("us", tick("X", 2));
  assert.deepEqual(await got("a"), ["X@1"]);
  await host.stop();
});

Deno.test("ticks: a lost acknowledgement (crash, or none in time) does not stop a strategy's ticks for good", async () => {
  const { host, clock, send, got } = await setup();
  send("us", tick("X", 1));
  send("us", tick("X", 2));
  assert.deepEqual(await got("a"), ["X@1"]);
  host.tell("t/risk", { type: "StrategyLifecycle", strategyId: "a", phase: "crashed", detail: "test" });
  host.drain();
  send("us", tick("X", 3));
  assert.deepEqual(await got("a"), ["X@1", "X@3"], "the crash forgot the batch in flight");
  // No answer, no crash report: after LOST_AFTER_MS the batch counts as lost.
  send("us", tick("X", 4));
  assert.deepEqual(await got("a"), ["X@1", "X@3"]);
  clock.advanceTo(clock.now() + LOST_AFTER_MS);
  send("us", tick("X", 5));
  assert.deepEqual(await got("a"), ["X@1", "X@3", "X@5"]);
  await host.stop();
});
