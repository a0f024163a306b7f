/**
 * The remote host over Redis Streams, against the real Redis: a core (the Worker host with a Redis link) and remote
 * hosts in this process or in child processes killed with SIGKILL.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { createWorkerHost, type Message, type TreeEvent, type WorkerHost } from "../../../actors/runtime/mod.ts";
import { createLogger } from "../../../actors/runtime/log.ts";
import { createRedisHost } from "../../../actors/runtime/redis_host.ts";
import { createRedisLink } from "../../../actors/runtime/redis_link.ts";
import { busKeys, parseBusUrl } from "../../../actors/runtime/redis_bus.ts";
import { REMOTE_LOST, type RemoteLink } from "../../../actors/runtime/remote_link.ts";
import { fromWire, toWire } from "../../../actors/runtime/wire.ts";
import { HANG_GUARD_MS, sup } from "./contract.ts";
import { REDIS_UP, REDIS_URL, uniqueName } from "../../storage/services.ts";
import { EFFECTS } from "./fixtures/remote_actors.ts";

const FIXTURE = new URL("./fixtures/remote_actors.ts", import.meta.url).href;
const HOST_MAIN = fileURLToPath(new URL("./fixtures/redis_host_main.ts", import.meta.url));
const DENO_JSON = fileURLToPath(new URL("../../../deno.json", import.meta.url));
const LEASE_MS = 600;
const opts = { sanitizeOps: false, sanitizeResources: false, ignore: !REDIS_UP };

const remoteActor = (id: string) => ({ kind: "actor" as const, id, module: FIXTURE, export: "ledger" });
const localSender = (id: string) => ({ kind: "actor" as const, id, module: FIXTURE, export: "sender" });

interface Applied {
  type: "Applied";
  from: string;
  n: number;
  total: number;
}

interface Core {
  readonly host: WorkerHost;
  readonly link: RemoteLink;
  readonly bus: string;
  readonly events: TreeEvent[];
  readonly effects: Applied[];
}

/** The core: a Worker host whose actors under root/remote/ run on the bus. */
async function core(bus: string): Promise<Core> {
  const link = await createRedisLink({
    bus,
    remote: (path) => path.startsWith("root/remote/"),
    leaseMs: LEASE_MS,
    startTimeoutMs: HANG_GUARD_MS,
    log: createLogger(() => {}, "link", Date.now, "error"),
  });
  const host = createWorkerHost({ logSink: () => {}, heartbeatMs: 100, heartbeatTimeoutMs: 30_000, remote: link });
  const events: TreeEvent[] = [];
  const effects: Applied[] = [];
  host.subscribe((e) => events.push(e));
  host.listen(EFFECTS, (msg: Message) => effects.push(msg as Applied));
  return { host, link, bus, events, effects };
}

function busFor(tag: string): string {
  return `${REDIS_URL}/?name=${uniqueName(tag)}`;
}

async function cleanup(bus: string) {
  const redis = new Redis(parseBusUrl(bus).url);
  const keys = await redis.keys(`ta:{${parseBusUrl(bus).name}}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
}

/** A remote host in this process and a core on one fresh bus, stopped and the bus's keys removed afterwards. */
async function withRemote(
  tag: string,
  fn: (run: { c: Core; remote: ReturnType<typeof createRedisHost> }) => Promise<void>,
): Promise<void> {
  const bus = busFor(tag);
  const remote = createRedisHost({ bus, leaseMs: LEASE_MS, logSink: () => {} });
  await remote.start();
  const c = await core(bus);
  try {
    await fn({ c, remote });
  } finally {
    await c.host.stop();
    await remote.stop();
    await cleanup(bus);
  }
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + HANG_GUARD_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const ledgerOf = (c: Core, path: string) =>
  c.host.ask<{ type: "Ledger"; total: number; seen: [string, number[]][] }>(path, { type: "Get" }, HANG_GUARD_MS);

function spawnHost(bus: string, holder: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, HOST_MAIN, bus, holder, String(LEASE_MS)],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
}

async function ready(child: Deno.ChildProcess) {
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  assert.match(new TextDecoder().decode(value), /ready/);
  reader.releaseLock();
  void child.stdout.cancel().catch(() => {});
}

Deno.test("redis bus: wire text keeps Maps, Sets, typed arrays and non-finite numbers", () => {
  const value = { m: new Map([["a", [1, 2]]]), s: new Set([1]), f: Float64Array.from([1.5, NaN]), x: -Infinity };
  const back = fromWire<typeof value>(toWire(value));
  assert.deepEqual(back, value);
  assert.ok(back.f instanceof Float64Array);
});

Deno.test("redis bus: the URL gives the deployment name; bad URLs are clear errors", () => {
  assert.deepEqual(parseBusUrl("redis://127.0.0.1:6379/2?name=prod-a"), {
    url: "redis://127.0.0.1:6379/2",
    name: "prod-a",
    leaseMs: 3000,
  });
  assert.equal(parseBusUrl("redis://127.0.0.1:6379").name, "tradeactor");
  assert.equal(parseBusUrl("redis://h?name=a&leaseMs=900").leaseMs, 900);
  assert.equal(parseBusUrl("redis://h?name=a&leaseMs=900").url, "redis://h");
  assert.throws(() => parseBusUrl("redis://h?leaseMs=5"), /Invalid --bus leaseMs "5"/);
  assert.equal(busKeys("x").mailbox("live/strategies/a"), "ta:{x}:mbx:live/strategies/a");
  assert.throws(() => parseBusUrl("http://127.0.0.1"), /scheme must be redis:\/\/ or rediss:\/\//);
  assert.throws(() => parseBusUrl("redis://h?name=a b"), /Invalid --bus deployment name "a b"/);
  assert.throws(() => parseBusUrl("not a url"), /Invalid --bus URL/);
});

Deno.test({
  name: "redis host: messages reach the remote actor in each sender's order; replies and effects come back",
  ...opts,
  fn: () =>
    withRemote("order", async ({ c, remote }) => {
      await c.host.start(
        sup("root", "one_for_one", [
          sup("remote", "one_for_one", [remoteActor("ledger")]),
          localSender("a"),
          localSender("b"),
        ]),
      );
      c.host.tell("root/a", { type: "Go", to: "root/remote/ledger", count: 200 });
      c.host.tell("root/b", { type: "Go", to: "root/remote/ledger", count: 200 });
      await until("400 effects", () => c.effects.length === 400);
      const ledger = await ledgerOf(c, "root/remote/ledger");
      const expected = Array.from({ length: 200 }, (_, i) => i + 1);
      assert.deepEqual(new Map(ledger.seen), new Map([["root/a", expected], ["root/b", expected]]));
      assert.equal(ledger.total, 2 * 200 * 201 / 2);
      assert.deepEqual(remote.held(), ["root/remote/ledger"]);
      // The host's counters include the remote actor, read from its consumer group: all handled, none waiting.
      const statsOf = () => c.host.stats().find((st) => st.path === "root/remote/ledger");
      await until("the remote actor's counters", () => (statsOf()?.processed ?? 0) >= 402);
      assert.equal(statsOf()?.running, true);
      assert.equal(statsOf()?.depth, 0);
      // Effects in each sender's order too.
      for (const from of ["root/a", "root/b"]) {
        assert.deepEqual(c.effects.filter((e) => e.from === from).map((e) => e.n), expected);
      }
    }),
});

Deno.test({
  name: "redis host: a message added twice (a resend after a reconnect) has its effect once",
  ...opts,
  async fn() {
    const bus = busFor("dedupe");
    const remote = createRedisHost({ bus, leaseMs: LEASE_MS, logSink: () => {} });
    await remote.start();
    const c = await core(bus);
    const redis = new Redis(parseBusUrl(bus).url);
    try {
      await c.host.start(sup("root", "one_for_one", [sup("remote", "one_for_one", [remoteActor("ledger")])]));
      c.host.tell("root/remote/ledger", { type: "Add", from: "t", n: 5 });
      await until("the first effect", () => c.effects.length === 1);
      // The entry the core sent, added again as ioredis would resend it: same message id.
      const mailbox = busKeys(parseBusUrl(bus).name).mailbox("root/remote/ledger");
      const entries = await redis.xrange(mailbox, "-", "+") as [string, string[]][];
      const add = entries.map((e) => e[1][1]).find((text) => (fromWire(text) as { k: string }).k === "env")!;
      await redis.xadd(mailbox, "*", "e", add);
      await redis.xadd(mailbox, "*", "e", add);
      c.host.tell("root/remote/ledger", { type: "Add", from: "t", n: 7 });
      await until("the second effect", () => c.effects.length >= 2);
      const ledger = await ledgerOf(c, "root/remote/ledger");
      assert.equal(ledger.total, 12, "the duplicate was applied");
      assert.deepEqual(c.effects.map((e) => e.n), [5, 7]);
      assert.equal(remote.stats()[0].duplicates, 2);
    } finally {
      await redis.quit();
      await c.host.stop();
      await remote.stop();
      await cleanup(bus);
    }
  },
});

Deno.test({
  name: "redis host: a crash in the remote actor is a crash in the core's tree; restarted from its snapshot",
  ...opts,
  fn: () =>
    withRemote("crash", async ({ c }) => {
      await c.host.start(sup("root", "one_for_one", [sup("remote", "one_for_one", [remoteActor("ledger")])]));
      c.host.tell("root/remote/ledger", { type: "Add", from: "t", n: 3 });
      c.host.tell("root/remote/ledger", { type: "Boom" });
      c.host.tell("root/remote/ledger", { type: "Add", from: "t", n: 4 });
      await until("the restart", () => c.events.some((e) => e.type === "restarted"));
      await until("both effects", () => c.effects.length === 2);
      const crash = c.events.find((e) => e.type === "crashed") as { path: string; error: string };
      assert.equal(crash.path, "root/remote/ledger");
      assert.match(crash.error, /boom/);
      assert.equal((await ledgerOf(c, "root/remote/ledger")).total, 7);
    }),
});

Deno.test({
  name: "redis host: an unhandled rejection in one remote actor crashes it alone; the process serves on",
  ...opts,
  fn: () =>
    withRemote("stray", async ({ c, remote }) => {
      await c.host.start(
        sup("root", "one_for_one", [sup("remote", "one_for_one", [remoteActor("a"), remoteActor("b")])]),
      );
      c.host.tell("root/remote/a", { type: "Add", from: "t", n: 2 });
      c.host.tell("root/remote/a", { type: "Stray" });
      await until("a's restart", () => c.events.some((e) => e.type === "restarted" && e.path === "root/remote/a"));
      const crash = c.events.find((e) => e.type === "crashed") as { path: string; error: string };
      assert.equal(crash.path, "root/remote/a");
      assert.match(crash.error, /uncaught: .*stray rejection/);
      c.host.tell("root/remote/a", { type: "Add", from: "t", n: 3 });
      c.host.tell("root/remote/b", { type: "Add", from: "t", n: 4 });
      await until("the effects after it", () => c.effects.length === 3);
      assert.equal((await ledgerOf(c, "root/remote/a")).total, 5, "a restarted from its snapshot");
      assert.equal((await ledgerOf(c, "root/remote/b")).total, 4);
      assert.ok(!c.events.some((e) => e.type === "crashed" && e.path === "root/remote/b"), "b paid for a");
      assert.deepEqual(remote.held().sort(), ["root/remote/a", "root/remote/b"]);
    }),
});

Deno.test({
  name: "redis host: a module that is not a file on the remote host is refused; the start fails saying so",
  ...opts,
  async fn() {
    const bus = busFor("module");
    const remote = createRedisHost({ bus, leaseMs: LEASE_MS, logSink: () => {} });
    await remote.start();
    const c = await core(bus);
    try {
      const code = "data:application/javascript,export default {accepts:[],init(){},receive(s){return s}}";
      await assert.rejects(
        c.host.start(
          sup("root", "one_for_one", [sup("remote", "one_for_one", [{ ...remoteActor("x"), module: code }])]),
        ),
        /root\/remote\/x: refusing to load "data:application\/javascript,.*file: modules only/,
      );
    } finally {
      await c.host.stop().catch(() => {});
      await remote.stop();
      await cleanup(bus);
    }
  },
});

Deno.test({
  name: "redis host: no remote process → the start fails naming the actor and the command to run",
  ...opts,
  async fn() {
    const bus = busFor("none");
    const link = await createRedisLink({
      bus,
      remote: (path) => path.startsWith("root/remote/"),
      startTimeoutMs: 300,
      log: createLogger(() => {}, "link", Date.now, "error"),
    });
    const host = createWorkerHost({ logSink: () => {}, remote: link });
    try {
      await assert.rejects(
        host.start(sup("root", "one_for_one", [sup("remote", "one_for_one", [remoteActor("ledger")])])),
        /root\/remote\/ledger: no remote host started it within 300 ms: .*--role strategies --bus/,
      );
    } finally {
      await host.stop().catch(() => {});
      await link.close();
      await cleanup(bus);
    }
  },
});

Deno.test({
  name: "redis host: SIGKILL of the serving process mid-batch → lease expiry is a death in the tree; " +
    "the standby claims the uncommitted entries; every effect exactly once",
  ...opts,
  async fn() {
    const bus = busFor("failover");
    const a = spawnHost(bus, "host-a");
    const b = spawnHost(bus, "host-b");
    const children = [a, b];
    const c = await core(bus);
    const redis = new Redis(parseBusUrl(bus).url);
    try {
      await Promise.all([ready(a), ready(b)]);
      await c.host.start(sup("root", "one_for_one", [sup("remote", "one_for_one", [remoteActor("ledger")])]));
      const lease = busKeys(parseBusUrl(bus).name).lease("root/remote/ledger");
      const first = await redis.get(lease);
      assert.ok(first === "host-a" || first === "host-b", `lease holder ${first}`);
      for (let n = 1; n <= 10; n++) c.host.tell("root/remote/ledger", { type: "Add", from: "t", n });
      await until("the first ten effects", () => c.effects.length >= 10);
      // The serving process is inside this delivery when it dies: the batch it is in is not committed.
      c.host.tell("root/remote/ledger", { type: "Slow", ms: 2_000 });
      for (let n = 11; n <= 20; n++) c.host.tell("root/remote/ledger", { type: "Add", from: "t", n });
      await new Promise((r) => setTimeout(r, 300));
      const victim = first === "host-a" ? a : b;
      victim.kill("SIGKILL");
      await victim.status;
      await until("the death and the restart", () => c.events.some((e) => e.type === "restarted"));
      const crash = c.events.find((e) => e.type === "crashed") as { path: string; error: string };
      assert.equal(crash.path, "root/remote/ledger");
      assert.ok(crash.error.includes(REMOTE_LOST), crash.error);
      await until("all twenty effects", () => c.effects.length >= 20);
      assert.equal(await redis.get(lease), first === "host-a" ? "host-b" : "host-a");
      const ledger = await ledgerOf(c, "root/remote/ledger");
      assert.equal(ledger.total, 210);
      const expected = Array.from({ length: 20 }, (_, i) => i + 1);
      assert.deepEqual(ledger.seen, [["t", expected]]);
      assert.deepEqual(c.effects.map((e) => e.n), expected, "an effect was lost or doubled");
    } finally {
      await redis.quit();
      await c.host.stop();
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
      }
      await cleanup(bus);
    }
  },
});

Deno.test({
  name: "redis host: a new core run fences off the last one: what a strategy process still handles for it never " +
    "reaches the new run",
  ...opts,
  async fn() {
    const bus = busFor("epoch");
    const remote = createRedisHost({ bus, leaseMs: LEASE_MS, logSink: () => {} });
    await remote.start();
    const old = await core(bus);
    let next: Core | undefined;
    try {
      await old.host.start(sup("root", "one_for_one", [sup("remote", "one_for_one", [remoteActor("ledger")])]));
      old.host.tell("root/remote/ledger", { type: "Slow", ms: 800 });
      old.host.tell("root/remote/ledger", { type: "Add", from: "old", n: 100 });
      await new Promise((r) => setTimeout(r, 200));
      // The old core dies (its link goes silent) while the remote process is inside the slow message.
      await old.link.close();
      next = await core(bus);
      // The new core is slow to start its tree (a journal to load): the old slow message ends meanwhile.
      await new Promise((r) => setTimeout(r, 1_000));
      await next.host.start(sup("root", "one_for_one", [sup("remote", "one_for_one", [remoteActor("ledger")])]));
      next.host.tell("root/remote/ledger", { type: "Add", from: "new", n: 1 });
      await until("the new run's effect", () => next!.effects.length >= 1);
      assert.deepEqual(next.effects.map((e) => [e.from, e.n, e.total]), [["new", 1, 1]]);
      assert.equal((await ledgerOf(next, "root/remote/ledger")).total, 1, "the old run's state leaked in");
    } finally {
      await next?.host.stop();
      await remote.stop();
      await cleanup(bus);
    }
  },
});

Deno.test({
  name: "redis host: a message that hangs its process and then the standby's is dropped as poison by the third",
  ...opts,
  async fn() {
    const bus = busFor("poison");
    const a = spawnHost(bus, "host-a");
    const b = spawnHost(bus, "host-b");
    const children = [a, b];
    const c = await core(bus);
    try {
      await Promise.all([ready(a), ready(b)]);
      await c.host.start(sup("root", "one_for_one", [sup("remote", "one_for_one", [remoteActor("ledger")])]));
      c.host.tell("root/remote/ledger", { type: "Add", from: "t", n: 1 });
      await until("the first effect", () => c.effects.length === 1);
      c.host.tell("root/remote/ledger", { type: "Hang" });
      c.host.tell("root/remote/ledger", { type: "Add", from: "t", n: 2 });
      // The holder hangs on it; the standby takes it over and hangs on it too.
      const lost = () => c.events.filter((e) => e.type === "crashed" && e.error.includes(REMOTE_LOST)).length;
      await until("both processes lost", () => lost() >= 2);
      const third = spawnHost(bus, "host-c");
      children.push(third);
      await ready(third);
      await until("the message after the poison", () => c.effects.length === 2);
      assert.deepEqual(c.effects.map((e) => e.n), [1, 2]);
      assert.equal((await ledgerOf(c, "root/remote/ledger")).total, 3);
    } finally {
      await c.host.stop();
      for (const child of children) {
        try {
          child.kill("SIGKILL");
        } catch { /* already gone */ }
        await child.status;
      }
      await cleanup(bus);
    }
  },
});
