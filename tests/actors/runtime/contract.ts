/** One contract, every host: the same behaviours must act the same in one thread and across Workers. */
import assert from "node:assert/strict";
import {
  type ActorSpec,
  AskTimeoutError,
  type ChildSpec,
  ConfigError,
  type Host,
  InitError,
  type LogRecord,
  MailboxFullError,
  memorySink,
  MessageNotCloneableError,
  NoSuchActorError,
  type SupervisorSpec,
  type TreeEvent,
  UnknownMessageError,
} from "../../../actors/runtime/mod.ts";

export type HostFactory = (logs: LogRecord[]) => Host;

const FIXTURES = new URL("./fixtures/actors.ts", import.meta.url).href;

export function actor(id: string, exportName: string, extra: Partial<ActorSpec> = {}): ActorSpec {
  return { kind: "actor", id, module: FIXTURES, export: exportName, ...extra };
}

export function sup(
  id: string,
  strategy: SupervisorSpec["strategy"],
  children: ChildSpec[],
  extra: Partial<SupervisorSpec> = {},
): SupervisorSpec {
  return { kind: "supervisor", id, strategy, children, intensity: { maxRestarts: 5, withinMs: 10_000 }, ...extra };
}

type Count = { type: "Count"; count: number; path: string };

async function withHost(make: HostFactory, root: ChildSpec, body: (host: Host, events: TreeEvent[]) => Promise<void>) {
  const logs: LogRecord[] = [];
  const host = make(logs);
  const events: TreeEvent[] = [];
  host.subscribe((e) => events.push(e));
  await host.start(root);
  try {
    await body(host, events);
  } finally {
    await host.stop();
  }
}

/** Hang guard only: the tests wait on events, so a slow machine makes them slower, never red. */
export const HANG_GUARD_MS = 60_000;

/**
 * Resolves once `check` holds. It is re-checked after every tree event (what the tests wait for changes with one)
 * and, as a safety net, now and then; it rejects only when the hang guard runs out.
 */
export function until(host: Host, what: string, check: () => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const test = () => {
      if (!check()) return;
      done();
      resolve();
    };
    const off = host.subscribe(() => queueMicrotask(test));
    const poll = setInterval(test, 250);
    const guard = setTimeout(() => {
      done();
      reject(new Error(`timed out waiting for ${what}`));
    }, HANG_GUARD_MS);
    const done = () => {
      off();
      clearInterval(poll);
      clearTimeout(guard);
    };
    test();
  });
}

async function count(host: Host, path: string): Promise<number> {
  return (await host.ask<Count>(path, { type: "Get" }, HANG_GUARD_MS)).count;
}

export function runtimeContract(name: string, make: HostFactory) {
  const t = (title: string, fn: () => Promise<void>) =>
    Deno.test({ name: `${name}: ${title}`, fn, sanitizeOps: false, sanitizeResources: false });

  t("tell and ask reach the actor in order", async () => {
    await withHost(
      make,
      sup("root", "one_for_one", [actor("c", "counter", { config: { start: 5 } })]),
      async (host) => {
        host.tell("root/c", { type: "Inc" });
        host.tell("root/c", { type: "Inc", by: 10 });
        assert.equal(await count(host, "root/c"), 16);
      },
    );
  });

  t("ask times out with a typed error naming the actor", async () => {
    await withHost(make, sup("root", "one_for_one", [actor("c", "counter")]), async (host) => {
      await assert.rejects(host.ask("root/c", { type: "Ignore" }, 50), (err: unknown) => {
        assert.ok(err instanceof AskTimeoutError);
        assert.match((err as Error).message, /root\/c: no reply to "Ignore" within 50 ms/);
        return true;
      });
    });
  });

  t("unknown message types and uncloneable messages are refused with the actor named", async () => {
    await withHost(make, sup("root", "one_for_one", [actor("c", "counter")]), async (host) => {
      assert.throws(() => host.tell("root/c", { type: "Nope" }), (err: unknown) => {
        assert.ok(err instanceof UnknownMessageError);
        assert.match((err as Error).message, /root\/c: unknown message type "Nope"/);
        return true;
      });
      assert.throws(
        () => host.tell("root/c", { type: "Inc", by: 1, callback: () => 1 } as never),
        MessageNotCloneableError,
      );
      assert.equal(await count(host, "root/c"), 0);
    });
  });

  t("an actor sending an unknown type learns it through onUndeliverable", async () => {
    await withHost(make, sup("root", "one_for_one", [actor("p", "producer"), actor("c", "counter")]), async (host) => {
      host.tell("root/p", { type: "SendBad", to: "root/c" });
      await host.idle();
      assert.equal(await count(host, "root/c"), 0); // the counter is unharmed
    });
  });

  t("a throw in init fails start with an error naming the actor", async () => {
    const host = make([]);
    await assert.rejects(host.start(sup("root", "one_for_one", [actor("db", "failingInit")])), (err: unknown) => {
      assert.ok(err instanceof InitError);
      assert.match((err as Error).message, /root\/db: init failed: database unreachable/);
      return true;
    });
    await host.stop();
  });

  t("a config that fails validation names the actor and the field", async () => {
    const host = make([]);
    await assert.rejects(
      host.start(sup("root", "one_for_one", [actor("c", "counter", { config: { start: "ten" } })])),
      (err: unknown) => {
        assert.ok(err instanceof ConfigError || err instanceof InitError);
        assert.match((err as Error).message, /root\/c: invalid config at "start": must be a finite number/);
        return true;
      },
    );
    await host.stop();
  });

  for (
    const [strategy, expected] of [
      ["one_for_one", ["root/b"]],
      ["one_for_all", ["root/a", "root/b", "root/c"]],
      ["rest_for_one", ["root/b", "root/c"]],
    ] as const
  ) {
    t(`${strategy}: a crash restarts the right siblings, from the last snapshot`, async () => {
      const tree = sup("root", strategy, [actor("a", "counter"), actor("b", "counter"), actor("c", "counter")]);
      await withHost(make, tree, async (host, events) => {
        for (const p of ["root/a", "root/b", "root/c"]) host.tell(p, { type: "Inc", by: 7 });
        await host.idle();
        host.tell("root/b", { type: "Crash" });
        host.tell("root/b", { type: "Inc" }); // queued behind the crash: must not be lost
        await until(host, "restarts", () => events.filter((e) => e.type === "restarted").length === expected.length);
        await host.idle();
        const restarted = events.filter((e) => e.type === "restarted").map((e) => (e as { path: string }).path);
        assert.deepEqual([...restarted].sort(), [...expected]);
        assert.equal(await count(host, "root/b"), 8);
        assert.equal(await count(host, "root/a"), 7);
        assert.equal(await count(host, "root/c"), 7);
      });
    });
  }

  t("restart intensity exceeded: the supervisor escalates and the root fails", async () => {
    const tree = sup("root", "one_for_one", [
      sup("inner", "one_for_one", [actor("c", "counter")], { intensity: { maxRestarts: 2, withinMs: 60_000 } }),
    ], { intensity: { maxRestarts: 0, withinMs: 60_000 } });
    await withHost(make, tree, async (host, events) => {
      for (let i = 0; i < 3; i++) {
        await until(host, `running #${i}`, () => host.stats().find((s) => s.path === "root/inner/c")?.running === true);
        host.tell("root/inner/c", { type: "Crash" });
        await until(host, `crash #${i}`, () => events.filter((e) => e.type === "crashed").length === i + 1);
      }
      await until(host, "escalation", () => events.some((e) => e.type === "escalated" && e.path === "root/inner"));
      await until(host, "fatal", () => host.fatal !== undefined);
      assert.match(host.fatal!.message, /root .*3 restarts within 60000 ms exceed the limit of 2|root failed/);
    });
  });

  t("quarantine: a child over its own intensity is left down alone; siblings and the supervisor go on", async () => {
    const strategies = sup("s", "one_for_one", [actor("bad", "counter"), actor("good", "counter")], {
      intensity: { maxRestarts: 2, withinMs: 60_000 },
      onExceeded: "quarantine",
    });
    const tree = sup("root", "one_for_one", [strategies], { intensity: { maxRestarts: 0, withinMs: 60_000 } });
    await withHost(make, tree, async (host, events) => {
      const running = (path: string) => host.stats().find((s) => s.path === path)?.running === true;
      const crash = async (path: string, n: number) => {
        await until(host, `${path} running`, () => running(path));
        host.tell(path, { type: "Crash" });
        await until(host, `crash #${n}`, () => events.filter((e) => e.type === "crashed").length === n);
      };
      host.tell("root/s/good", { type: "Inc", by: 5 });
      // Four crashes in the window: escalation would count them together (4 > 2); quarantine counts per child.
      await crash("root/s/good", 1);
      await crash("root/s/bad", 2);
      await crash("root/s/good", 3);
      await crash("root/s/bad", 4);
      await until(
        host,
        "good restarted twice",
        () => host.stats().find((s) => s.path === "root/s/good")!.restarts === 2,
      );
      assert.equal(events.filter((e) => e.type === "quarantined").length, 0);
      await crash("root/s/bad", 5);
      await until(host, "quarantine", () => events.some((e) => e.type === "quarantined"));
      await host.idle();
      const quarantined = events.filter((e) => e.type === "quarantined");
      assert.deepEqual(quarantined, [{
        type: "quarantined",
        path: "root/s/bad",
        reason: "3 restarts within 60000 ms exceed the limit of 2",
      }]);
      assert.equal(events.some((e) => e.type === "escalated" || e.type === "fatal"), false);
      assert.equal(host.fatal, undefined);
      assert.equal(running("root/s/bad"), false);
      assert.equal(host.stats().find((s) => s.path === "root/s/bad")!.restarts, 2);
      host.tell("root/s/good", { type: "Inc" });
      assert.equal(await count(host, "root/s/good"), 6);
      // Left down: nothing restarts it later.
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(running("root/s/bad"), false);
    });
  });

  t(
    "addChild: a child joins a running supervisor while its siblings work, and is supervised like the others",
    async () => {
      const tree = sup("root", "one_for_one", [
        actor("p", "producer"),
        actor("r", "recorder"),
        sup("s", "one_for_one", [actor("a", "counter")]),
      ]);
      await withHost(make, tree, async (host, events) => {
        host.tell("root/s/a", { type: "Inc", by: 3 });
        // A sibling keeps working while the child is added.
        const produced = host.ask("root/p", { type: "Produce", to: "root/r", n: 2_000 }, 10_000);
        await host.addChild("root/s", actor("b", "counter", { config: { start: 40 } }));
        await produced;
        assert.ok(events.some((e) => e.type === "added" && e.path === "root/s/b"));
        host.tell("root/s/b", { type: "Inc", by: 2 });
        assert.equal(await count(host, "root/s/b"), 42);
        assert.equal(await count(host, "root/s/a"), 3);
        // Supervised: a crash restarts it from its last snapshot; the message queued behind the crash survives.
        host.tell("root/s/b", { type: "Crash" });
        host.tell("root/s/b", { type: "Inc" });
        await until(
          host,
          "restart of the added child",
          () => events.some((e) => e.type === "restarted" && e.path === "root/s/b"),
        );
        assert.equal(await count(host, "root/s/b"), 43);
        const { items } = await host.ask<{ type: "Items"; items: string[] }>("root/r", { type: "GetItems" }, 5_000);
        assert.deepEqual(
          items.map((i) => Number(i.split(":")[1])),
          Array.from({ length: 2_000 }, (_, i) => i),
        );
        // Stopped with the others at shutdown, in reverse start order: the added child first.
        const before = events.length;
        await host.stop();
        const stopped = events.slice(before).filter((e) => e.type === "stopped").map((e) =>
          (e as { path: string }).path
        );
        assert.deepEqual(stopped.slice(0, 3), ["root/s/b", "root/s/a", "root/s"]);
      });
    },
  );

  t(
    "addChild refuses a taken or invalid id, an unknown parent and a failing init, leaving the tree as it was",
    async () => {
      await withHost(
        make,
        sup("root", "one_for_one", [sup("s", "one_for_one", [actor("a", "counter")])]),
        async (host) => {
          await assert.rejects(host.addChild("root/s", actor("a", "counter")), /root\/s: duplicate child id "a"/);
          await assert.rejects(host.addChild("root/s", actor("a b", "counter")), /child id must match/);
          await assert.rejects(host.addChild("root/nope", actor("x", "counter")), /root\/nope: no such supervisor/);
          await assert.rejects(host.addChild("root/s/a", actor("x", "counter")), /root\/s\/a: no such supervisor/);
          await assert.rejects(host.addChild("root/s", actor("db", "failingInit")), (err: unknown) => {
            assert.ok(err instanceof InitError);
            assert.match((err as Error).message, /root\/s\/db: init failed: database unreachable/);
            return true;
          });
          assert.deepEqual(host.stats().map((s) => s.path).sort(), ["root/s/a"]);
          assert.throws(() => host.tell("root/s/db", { type: "Noop" }), NoSuchActorError);
          // The failed id is free again.
          await host.addChild("root/s", actor("db", "counter"));
          assert.equal(await count(host, "root/s/db"), 0);
        },
      );
    },
  );

  t("removeChild: stops the child in order and forgets it; siblings go on; the id can come back fresh", async () => {
    const tree = sup("root", "one_for_one", [sup("s", "one_for_one", [actor("a", "counter"), actor("b", "counter")])]);
    await withHost(make, tree, async (host, events) => {
      host.tell("root/s/a", { type: "Inc", by: 5 });
      host.tell("root/s/b", { type: "Inc", by: 7 });
      await host.idle();
      await host.removeChild("root/s/a");
      const tail = events.filter((e) => "path" in e && e.path === "root/s/a").map((e) => e.type);
      assert.deepEqual(tail.slice(-2), ["stopped", "removed"]);
      assert.throws(() => host.tell("root/s/a", { type: "Inc" }), NoSuchActorError);
      assert.equal(host.stats().some((s) => s.path === "root/s/a"), false);
      assert.equal(host.lastSnapshot("root/s/a"), undefined);
      host.tell("root/s/b", { type: "Inc" });
      assert.equal(await count(host, "root/s/b"), 8);
      // A crash of a sibling after the removal restarts only the sibling (the supervisor forgot the removed child).
      host.tell("root/s/b", { type: "Crash" });
      await until(host, "sibling restart", () => events.some((e) => e.type === "restarted" && e.path === "root/s/b"));
      assert.equal(await count(host, "root/s/b"), 8);
      // Added again under the same id: a new actor, not the old one's snapshot.
      await host.addChild("root/s", actor("a", "counter", { config: { start: 1 } }));
      assert.equal(await count(host, "root/s/a"), 1);
      await assert.rejects(host.removeChild("root/s/zz"), /root\/s\/zz: no such child/);
      await assert.rejects(host.removeChild("root"), /root: no such child \(the root cannot be removed\)/);
    });
  });

  t("removeChild of a crashing child: it is not restarted once removed", async () => {
    const strategies = sup("s", "one_for_one", [actor("bad", "counter"), actor("good", "counter")], {
      backoff: { minMs: 200, maxMs: 200, factor: 1 },
    });
    await withHost(make, sup("root", "one_for_one", [strategies]), async (host, events) => {
      await host.idle();
      host.tell("root/s/bad", { type: "Crash" });
      await until(host, "crash", () => events.some((e) => e.type === "crashed" && e.path === "root/s/bad"));
      // Queued behind the restart (its backoff is running): the removal waits for it, then takes the child down.
      await host.removeChild("root/s/bad");
      assert.equal(host.stats().some((s) => s.path === "root/s/bad"), false);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(host.stats().some((s) => s.path === "root/s/bad"), false);
      assert.ok(events.some((e) => e.type === "removed" && e.path === "root/s/bad"));
      assert.equal(events.filter((e) => e.type === "restarted" && e.path === "root/s/bad").length <= 1, true);
      host.tell("root/s/good", { type: "Inc" });
      assert.equal(await count(host, "root/s/good"), 1);
    });
  });

  t("mailbox overflow: reject tells the sender, keep-newest conflates", async () => {
    const tree = sup("root", "one_for_one", [
      actor("r", "counter", { mailbox: { capacity: 3, overflow: "reject" } }),
      actor("k", "counter", { mailbox: { capacity: 3, overflow: "keep-newest", conflate: ["Inc"] } }),
    ]);
    await withHost(make, tree, async (host) => {
      await host.idle();
      let refused = 0;
      for (let i = 0; i < 10; i++) {
        try {
          host.tell("root/r", { type: "Inc" });
        } catch (err) {
          assert.ok(err instanceof MailboxFullError);
          refused++;
        }
      }
      for (let i = 1; i <= 10; i++) host.tell("root/k", { type: "Inc", by: i });
      await host.idle();
      assert.equal(refused, 7);
      assert.equal(await count(host, "root/r"), 3);
      assert.equal(await count(host, "root/k"), 8 + 9 + 10); // only the newest three survived
      const k = host.stats().find((s) => s.path === "root/k")!;
      assert.equal(k.conflated, 7);
      assert.equal(host.stats().find((s) => s.path === "root/r")!.rejected, 7);
    });
  });

  t("FIFO holds per sender→receiver pair", async () => {
    const tree = sup("root", "one_for_one", [actor("p1", "producer"), actor("p2", "producer"), actor("r", "recorder")]);
    await withHost(make, tree, async (host) => {
      await Promise.all([
        host.ask("root/p1", { type: "Produce", to: "root/r", n: 2_000 }, HANG_GUARD_MS),
        host.ask("root/p2", { type: "Produce", to: "root/r", n: 2_000 }, HANG_GUARD_MS),
      ]);
      await host.idle();
      const { items } = await host.ask<{ type: "Items"; items: string[] }>(
        "root/r",
        { type: "GetItems" },
        HANG_GUARD_MS,
      );
      assert.equal(items.length, 4_000);
      for (const sender of ["root/p1", "root/p2"]) {
        const seq = items.filter((i) => i.startsWith(sender + ":")).map((i) => Number(i.split(":")[1]));
        assert.deepEqual(seq, Array.from({ length: 2_000 }, (_, i) => i));
      }
    });
  });

  t("a host-thread mailbox (listen) gets what actors tell it, in order; nothing once it stops listening", async () => {
    await withHost(make, sup("root", "one_for_one", [actor("p", "producer")]), async (host) => {
      assert.throws(() => host.listen("tap", () => {}), /must start with "\$main\/"/);
      const got: unknown[] = [];
      const also: unknown[] = [];
      const stop = host.listen("$main/tap", (msg) => got.push(msg));
      const stopAlso = host.listen("$main/tap", (msg) => also.push(msg));
      await host.ask("root/p", { type: "Produce", to: "$main/tap", n: 3 }, 2_000);
      await until(host, "three items", () => got.length === 3 && also.length === 3);
      assert.deepEqual(got, [0, 1, 2].map((n) => ({ type: "Item", n, from: "root/p" })));
      assert.deepEqual(also, got, "every listener of a path gets every message");
      stop();
      stopAlso();
      // Nobody listens: dropped, and the producer is neither told nor crashed.
      await host.ask("root/p", { type: "Produce", to: "$main/tap", n: 2 }, 2_000);
      await host.ask("root/p", { type: "Produce", to: "$main/tap", n: 0 }, 2_000);
      assert.equal(got.length, 3);
    });
  });

  t("shutdown stops actors in reverse start order", async () => {
    const tree = sup("root", "one_for_one", [
      actor("a", "counter"),
      sup("mid", "one_for_one", [actor("b", "counter"), actor("c", "counter")]),
      actor("d", "counter"),
    ]);
    const logs: LogRecord[] = [];
    const host = make(logs);
    const events: TreeEvent[] = [];
    host.subscribe((e) => events.push(e));
    await host.start(tree);
    const started = events.filter((e) => e.type === "started").map((e) => (e as { path: string }).path);
    await host.stop();
    const stopped = events.filter((e) => e.type === "stopped").map((e) => (e as { path: string }).path);
    assert.deepEqual(started, ["root/a", "root/mid/b", "root/mid/c", "root/mid", "root/d", "root"]);
    assert.deepEqual(stopped, ["root/d", "root/mid/c", "root/mid/b", "root/mid", "root/a", "root"]);
  });

  t("logs are JSON-ready records with the actor path and correlation id", async () => {
    const logs: LogRecord[] = [];
    const host = make(logs);
    await host.start(sup("root", "one_for_one", [actor("c", "counter")]));
    host.tell("root/c", { type: "Crash" });
    await until(host, "crash log", () => logs.some((l) => l.msg === "actor crashed"));
    await host.stop();
    const crash = logs.find((l) => l.msg === "actor crashed")!;
    assert.equal(crash.level, "error");
    assert.equal(crash.child, "root/c");
    assert.match(String(crash.error), /asked to crash/);
    assert.doesNotThrow(() => JSON.stringify(crash));
  });
}

export { memorySink };
