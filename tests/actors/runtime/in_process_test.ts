import assert from "node:assert/strict";
import { actor, runtimeContract, sup } from "./contract.ts";
import { ClockError, createInProcessHost, memorySink, simulatedClock } from "../../../actors/runtime/mod.ts";

runtimeContract("in-process", (logs) => createInProcessHost({ logSink: memorySink(logs), logLevel: "debug" }));

Deno.test("in-process: a simulated-clock run is deterministic and drains without microtasks", async () => {
  const run = async () => {
    const clock = simulatedClock(1_000);
    const host = createInProcessHost({ clock, logSink: () => {}, strictMessages: false });
    await host.start(sup("root", "one_for_one", [actor("p", "producer"), actor("r", "recorder")]));
    host.tell("root/p", { type: "Produce", to: "root/r", n: 100 });
    const handled = host.drain();
    const reply = host.ask<{ type: "Items"; items: string[] }>("root/r", { type: "GetItems" }, 10);
    host.drain();
    const items = (await reply).items;
    await host.stop();
    return { handled, items };
  };
  const a = await run();
  const b = await run();
  assert.equal(a.handled, 101);
  assert.deepEqual(a.items, b.items);
});

Deno.test("in-process: ask timeouts follow the simulated clock", async () => {
  const clock = simulatedClock(0);
  const host = createInProcessHost({ clock, logSink: () => {} });
  await host.start(sup("root", "one_for_one", [actor("c", "counter")]));
  const pending = host.ask("root/c", { type: "Ignore" }, 1_000);
  host.drain();
  clock.advanceTo(999);
  let settled = false;
  pending.catch(() => {}).finally(() => settled = true);
  await Promise.resolve();
  assert.equal(settled, false);
  clock.advanceTo(1_000);
  await assert.rejects(pending, /no reply to "Ignore" within 1000 ms/);
  await host.stop();
});

Deno.test("simulated clock refuses to go backwards and fires timers in order", () => {
  const clock = simulatedClock(100);
  const fired: number[] = [];
  clock.setTimer(300, () => fired.push(300));
  clock.setTimer(200, () => fired.push(200));
  clock.setTimer(200, () => fired.push(201));
  clock.advanceTo(250);
  assert.deepEqual(fired, [200, 201]);
  assert.throws(() => clock.advanceTo(249), ClockError);
  clock.advanceTo(400);
  assert.deepEqual(fired, [200, 201, 300]);
});
