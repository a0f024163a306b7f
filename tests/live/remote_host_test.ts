/**
 * Strategies on another process over the Redis bus (`--role core` + `--role strategies`), against real Redis:
 * - kill -9 of the strategies process mid-replay: the standby takes the strategy over and the run's fills equal an
 *   uninterrupted single-process run (same order ids, no order sent twice);
 * - Redis itself killed and restarted mid-run (a private instance with an append-only file, never the shared one):
 *   the processes halt, reconnect and resume, with nothing lost or doubled.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { Redis } from "ioredis";
import { resolveLiveConfig } from "../../actors/system/live_config.ts";
import { runDaemon } from "../../actors/system/daemon.ts";
import { resolveRole } from "../../actors/system/roles.ts";
import { REDIS_UP, REDIS_URL, uniqueName } from "../storage/services.ts";
import {
  CLI,
  DENO_JSON,
  journalCount,
  paperConfig,
  readResult,
  type RunResult,
  sleep,
  venueSubmits,
  writeConfig,
} from "./helpers.ts";

const opts = { sanitizeOps: false, sanitizeResources: false };
const LEASE_MS = 1_000;
const HANG_GUARD_MS = 120_000;

/** A child process whose stderr is drained (a full pipe would block it) and kept for the assertions. */
interface Proc {
  readonly child: Deno.ChildProcess;
  stderr: string;
  readonly done: Promise<number>;
}

function spawn(args: string[], logLevel = "warn"): Proc {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, CLI, ...args],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { TRADEACTOR_LOG: logLevel },
  }).spawn();
  const proc: Proc = { child, stderr: "", done: Promise.resolve(0) };
  const drained = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stderr) proc.stderr += decoder.decode(chunk, { stream: true });
  })();
  (proc as { done: Promise<number> }).done = Promise.all([child.status, drained]).then(([s]) => s.code);
  return proc;
}

const strategiesProcess = (bus: string) => spawn(["--role", "strategies", "--bus", bus], "info");
const coreProcess = (config: string, bus: string) =>
  spawn(["run", "--config", config, "--no-watchdog", "--role", "core", "--bus", bus]);

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + HANG_GUARD_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

/** The holder id a strategies process announced (its "serving the bus" line). */
const holderOf = (p: Proc) => /"strategies process serving the bus","holder":"([^"]+)"/.exec(p.stderr)?.[1];

async function reference(dir: string): Promise<RunResult> {
  const dataDir = join(dir, "reference");
  const config = await resolveLiveConfig(paperConfig(dataDir), { env: () => undefined });
  assert.equal(await runDaemon(config, { logSink: () => {} }), 0);
  return await readResult(dataDir);
}

async function dropKeys(url: string, name: string) {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    const keys = await redis.keys(`ta:{${name}}:*`);
    if (keys.length > 0) await redis.del(...keys);
  } catch {
    // a private instance already gone
  } finally {
    redis.disconnect();
  }
}

function kill(p: Proc) {
  try {
    p.child.kill("SIGKILL");
  } catch {
    // already gone
  }
}

Deno.test("remote strategies: --role/--bus mistakes are clear errors", () => {
  assert.throws(() => resolveRole("strategies", undefined), /--role strategies needs --bus redis:\/\//);
  assert.throws(() => resolveRole("core", undefined), /--role core needs --bus/);
  assert.throws(() => resolveRole(undefined, "redis://h"), /--bus needs --role core .* or --role strategies/);
  assert.throws(() => resolveRole("edge", "redis://h"), /--role must be one of all, core, strategies, got "edge"/);
  assert.deepEqual(resolveRole(undefined, undefined), { role: "all" });
});

Deno.test({
  name: "remote strategies: the command line refuses --role strategies without --bus (exit 2, says why)",
  ...opts,
  async fn() {
    const p = spawn(["--role", "strategies"]);
    assert.equal(await p.done, 2);
    assert.match(p.stderr, /--role strategies needs --bus/);
  },
});

Deno.test({
  name: "remote strategies: kill -9 of the strategies process mid-replay; the standby takes over; " +
    "the fills equal an uninterrupted single-process run",
  ignore: !REDIS_UP,
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "remote-host-" });
    const name = uniqueName("failover");
    const bus = `${REDIS_URL}/?name=${name}&leaseMs=${LEASE_MS}`;
    const procs: Proc[] = [];
    try {
      const expected = await reference(dir);
      assert.ok(expected.fills.length > 20, "the replay should trade");
      const dataDir = join(dir, "remote");
      const config = await writeConfig(dir, paperConfig(dataDir));
      const a = strategiesProcess(bus);
      const b = strategiesProcess(bus);
      procs.push(a, b);
      await until("both strategies processes", () => holderOf(a) !== undefined && holderOf(b) !== undefined);
      const core = coreProcess(config, bus);
      procs.push(core);
      // A third of the way into the replay, the process serving the strategy dies.
      await until("the replay under way", () => journalCount(dataDir) > 900);
      const redis = new Redis(REDIS_URL);
      const holder = await redis.get(`ta:{${name}}:lease:live/strategies/ma-goog`);
      await redis.quit();
      const victim = holder === holderOf(a) ? a : holder === holderOf(b) ? b : undefined;
      assert.ok(victim, `the lease holder ${holder} is one of the two processes`);
      kill(victim);
      await victim.done;
      const standby = victim === a ? b : a;
      assert.equal(await core.done, 0, core.stderr);
      assert.ok(journalCount(dataDir) > 2_000, "the run went on to the end");
      assert.match(core.stderr, /remote actor lost/, "the kill happened after the run ended");
      assert.match(standby.stderr, /serving actor","path":"live\/strategies\/ma-goog"/);
      assert.doesNotMatch(core.stderr, /no BarDone in time/, "a message was lost in the failover");
      const actual = await readResult(dataDir);
      assert.deepEqual(actual.fills, expected.fills);
      assert.deepEqual(actual.portfolio.total, expected.portfolio.total);
      const submits = venueSubmits(dataDir);
      assert.equal(submits.total, submits.distinct, "an order was sent twice");
    } finally {
      for (const p of procs) kill(p);
      await Promise.all(procs.map((p) => p.done));
      await dropKeys(REDIS_URL, name);
      await Deno.remove(dir, { recursive: true });
    }
  },
});

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** A private Redis with an append-only file fsynced on every write: a restart keeps every acknowledged write. */
function privateRedis(port: number, dir: string): Deno.ChildProcess {
  return new Deno.Command("redis-server", {
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "yes",
      "--appendfsync",
      "always",
      "--dir",
      dir,
      "--daemonize",
      "no",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn();
}

async function redisUp(url: string): Promise<boolean> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    await redis.connect();
    return (await redis.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}

const hasRedisServer = await new Deno.Command("redis-server", { args: ["--version"], stdout: "null", stderr: "null" })
  .output().then((o) => o.success, () => false);
if (!hasRedisServer) console.warn("SKIP the Redis restart test: no redis-server binary to run a private instance");

Deno.test({
  name: "remote strategies: Redis killed and restarted mid-run → halt, reconnect, resume; nothing lost or doubled",
  ignore: !hasRedisServer,
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "remote-redis-restart-" });
    const port = freePort();
    const url = `redis://127.0.0.1:${port}`;
    // The lease outlasts the outage: the restart is a halt, not a failover.
    const bus = `${url}/?name=restart&leaseMs=5000`;
    let server = privateRedis(port, dir);
    const procs: Proc[] = [];
    try {
      await until("the private Redis", () => redisUp(url));
      const expected = await reference(dir);
      const dataDir = join(dir, "remote");
      const config = await writeConfig(dir, paperConfig(dataDir));
      const strategies = strategiesProcess(bus);
      procs.push(strategies);
      await until("the strategies process", () => holderOf(strategies) !== undefined);
      const core = coreProcess(config, bus);
      procs.push(core);
      await until("the replay under way", () => journalCount(dataDir) > 900);
      server.kill("SIGKILL");
      await server.status;
      const atOutage = journalCount(dataDir);
      await sleep(300);
      server = privateRedis(port, dir);
      await until("the restarted Redis", () => redisUp(url));
      assert.equal(await core.done, 0, core.stderr);
      assert.ok(journalCount(dataDir) > atOutage, "the run resumed after the restart");
      assert.match(core.stderr + strategies.stderr, /bus unreachable/, "the outage was not noticed");
      // A message lost on the way (e.g. a read whose reply the outage swallowed) stalls the bar clock until the adapter
      // gives up on it.
      assert.doesNotMatch(core.stderr, /no BarDone in time/);
      const actual = await readResult(dataDir);
      assert.deepEqual(actual.fills, expected.fills);
      const submits = venueSubmits(dataDir);
      assert.equal(submits.total, submits.distinct, "an order was sent twice");
    } finally {
      for (const p of procs) kill(p);
      await Promise.all(procs.map((p) => p.done));
      try {
        server.kill("SIGKILL");
      } catch {
        // gone
      }
      await server.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
