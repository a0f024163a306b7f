import assert from "node:assert/strict";
import { actor, HANG_GUARD_MS, runtimeContract, sup, until } from "./contract.ts";
import { createWorkerHost, memorySink, type TreeEvent } from "../../../actors/runtime/mod.ts";

// The contract tests no hang detection: a short heartbeat timeout would only replace actors that a loaded machine
// left unscheduled for a moment, and an extra restart breaks the exact expectations.
runtimeContract(
  "worker",
  (logs) =>
    createWorkerHost({ logSink: memorySink(logs), logLevel: "debug", heartbeatMs: 100, heartbeatTimeoutMs: 30_000 }),
);

const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({
  name: "worker: an unhandled rejection inside an actor is a crash; the actor is restarted",
  ...opts,
  fn: async () => {
    const host = createWorkerHost({ logSink: () => {}, heartbeatMs: 100, heartbeatTimeoutMs: 30_000 });
    const events: TreeEvent[] = [];
    host.subscribe((e) => events.push(e));
    await host.start(sup("root", "one_for_one", [actor("c", "counter")]));
    host.tell("root/c", { type: "Inc", by: 3 });
    await host.idle();
    host.tell("root/c", { type: "CrashAsync" });
    await until(host, "restart", () => events.some((e) => e.type === "restarted"));
    const reply = await host.ask<{ type: "Count"; count: number }>("root/c", { type: "Get" }, HANG_GUARD_MS);
    assert.equal(reply.count, 3);
    // Reported by the actor's own Worker as its crash (no uncaught-error stack trace on stderr).
    const crash = events.find((e) => e.type === "crashed") as { error: string };
    assert.match(crash.error, /uncaught: .*async failure/);
    await host.stop();
  },
});

Deno.test({
  name: "worker: a hung actor is detected by heartbeat and replaced; its thread is reported as leaked",
  ...opts,
  fn: async () => {
    const leaked: string[] = [];
    const host = createWorkerHost({
      logSink: () => {},
      heartbeatMs: 50,
      // Long enough that a loaded machine does not also declare the replacement hung.
      heartbeatTimeoutMs: 1_000,
      onLeakedWorker: (path) => leaked.push(path),
    });
    const events: TreeEvent[] = [];
    host.subscribe((e) => events.push(e));
    await host.start(sup("root", "one_for_one", [actor("c", "counter")]));
    host.tell("root/c", { type: "Inc", by: 41 });
    await host.idle();
    host.tell("root/c", { type: "Hang" });
    host.tell("root/c", { type: "Inc" }); // queued behind the hang: redelivered to the replacement
    await until(host, "replacement", () => events.some((e) => e.type === "restarted"));
    const reply = await host.ask<{ type: "Count"; count: number }>("root/c", { type: "Get" }, HANG_GUARD_MS);
    assert.equal(reply.count, 42);
    assert.deepEqual(leaked, ["root/c"]);
    assert.equal(host.leakedWorkers, 1);
    const crash = events.find((e) => e.type === "crashed") as { error: string };
    assert.match(crash.error, /hung: no heartbeat/);
    await host.stop();
  },
});

Deno.test({
  name: "worker: per-actor permissions sandbox a strategy (no network, no file system)",
  ...opts,
  fn: async () => {
    // In a `deno run` child: see fixtures/sandbox_probe.ts for why.
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("./fixtures/sandbox_probe.ts", import.meta.url).pathname],
      cwd: new URL("../../../", import.meta.url).pathname,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    type Result = { ok: boolean; error?: string };
    const r = JSON.parse(new TextDecoder().decode(out.stdout)) as Record<string, Result>;
    assert.equal(r.jailRead.ok, false);
    assert.match(String(r.jailRead.error), /NotCapable/);
    assert.equal(r.jailNet.ok, false, `network must be denied, got ${JSON.stringify(r.jailNet)}`);
    assert.match(String(r.jailNet.error), /NotCapable/);
    assert.equal(r.freeRead.ok, true);
    assert.equal(r.freeNet.ok, true);
  },
});

Deno.test({
  name: "worker: a Worker that exits silently is detected by heartbeat and restarted from its snapshot",
  ...opts,
  fn: async () => {
    const host = createWorkerHost({ logSink: () => {}, heartbeatMs: 50, heartbeatTimeoutMs: 1_000 });
    const events: TreeEvent[] = [];
    host.subscribe((e) => events.push(e));
    await host.start(sup("root", "one_for_one", [actor("c", "counter")]));
    host.tell("root/c", { type: "Inc", by: 9 });
    await host.idle();
    host.tell("root/c", { type: "SilentExit" });
    await until(host, "restart", () => events.some((e) => e.type === "restarted"));
    const reply = await host.ask<{ type: "Count"; count: number }>("root/c", { type: "Get" }, HANG_GUARD_MS);
    assert.equal(reply.count, 9);
    assert.match((events.find((e) => e.type === "crashed") as { error: string }).error, /no heartbeat/);
    await host.stop();
  },
});
