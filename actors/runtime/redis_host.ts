/**
 * The remote host: runs actors whose mailboxes are Redis streams (redis_bus.ts), for a core daemon in another
 * process or on another machine (its Worker host reaches them through redis_link.ts).
 *
 * Every actor the core put on the bus has a lease; a process serves the actors whose lease it takes, and a standby
 * process (the same command, started twice) takes the lease of an actor whose process died once it expires. The
 * holder reads the actor's mailbox with XREADGROUP (one consumer per process in the group "actors"), starts the
 * actor only when the core says so (a "start" entry: the core's supervision tree decides restarts, as for a local
 * actor), and after each batch commits atomically (redis_commit.ts): acks, the messages produced, the snapshot and
 * the dedupe marks. A new holder first takes over the dead one's pending entries (XAUTOCLAIM): nothing handled and
 * not committed is lost, nothing committed is done twice. Messages carry ids (`<link>:<n>`) and the committed
 * marks skip a message delivered twice (a command resent after a reconnect).
 */
import type { Redis } from "ioredis";
import type { Envelope } from "./behaviour.ts";
import { type Cell, createCell, loadBehaviour } from "./cell.ts";
import { liveClock } from "./clock.ts";
import { ConfigError, errorText } from "./errors.ts";
import { createLogger, levelFromEnv, type LogLevel, type LogSink, stderrSink } from "./log.ts";
import {
  ACTOR_GROUP,
  type BusKeys,
  busKeys,
  connectBus,
  DEFAULT_STREAM_MAXLEN,
  ensureGroup,
  entryText,
  idAfter,
  type InboxEntry,
  type MailboxEntry,
  parseBusUrl,
  pendingAfter,
  type RawEntry,
} from "./redis_bus.ts";
import { acquireLease, commit, releaseLease } from "./redis_commit.ts";
import { fromWire, toWire } from "./wire.ts";

export interface RedisHostOptions {
  /** The bus: `redis://host:port[/db][?name=DEPLOYMENT]`. */
  readonly bus: string;
  /** This process's id on the bus (consumer name, lease value). Default: random. */
  readonly holder?: string;
  /** An actor whose holder is silent this long is taken over. Default: the bus URL's leaseMs. */
  readonly leaseMs?: number;
  /** Entries read and committed together. Default 256. */
  readonly batch?: number;
  readonly blockMs?: number;
  readonly logSink?: LogSink;
  readonly logLevel?: LogLevel;
  readonly seed?: number;
  readonly maxLen?: number;
}

export interface RedisHostStats {
  readonly path: string;
  readonly running: boolean;
  readonly processed: number;
  readonly duplicates: number;
}

export interface RedisHost {
  readonly kind: "redis";
  readonly holder: string;
  /** Connects and begins taking leases; rejects when Redis cannot be reached. */
  start(): Promise<void>;
  /** Stops serving and releases the leases, so a standby takes over at once. */
  stop(): Promise<void>;
  /** Paths whose lease this process holds. */
  held(): string[];
  stats(): RedisHostStats[];
}

interface Serving {
  readonly path: string;
  readonly reader: Redis;
  active: boolean;
  cell: Cell | undefined;
  /** An exit reported by the cell during the delivery in progress. */
  exit: { reason: "normal" | "crash"; error?: unknown } | undefined;
  /** Messages the cell sent during the delivery in progress. */
  out: Envelope[];
  delivering: boolean;
  ver: number;
  seen: Record<string, number>;
  snap: unknown;
  snapDirty: boolean;
  /** Entries that arrived while the actor was down, handled after the next start (not acked meanwhile). */
  held: [string, MailboxEntry][];
  hostSeq: number;
  /** The newest entry id read. */
  lastId: string;
  /** The reader reconnected since its last read: recover what a lost read reply delivered. */
  reconnected: boolean;
  /** An error that escaped the actor's handlers (an unhandled rejection): its crash, reported at the next turn. */
  stray: unknown;
  /** Claimed entry ids not handled yet (see unlessPoison). */
  suspects: Set<string>;
  processed: number;
  duplicates: number;
  loop: Promise<void> | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function createRedisHost(options: RedisHostOptions): RedisHost {
  const address = parseBusUrl(options.bus);
  const keys: BusKeys = busKeys(address.name);
  const holder = options.holder ?? `h-${crypto.randomUUID().slice(0, 12)}`;
  const leaseMs = options.leaseMs ?? address.leaseMs;
  const batch = options.batch ?? 256;
  const blockMs = options.blockMs ?? 500;
  const maxLen = options.maxLen ?? DEFAULT_STREAM_MAXLEN;
  const clock = liveClock();
  const logSink = options.logSink ?? stderrSink();
  const logLevel = options.logLevel ?? levelFromEnv();
  const log = createLogger(logSink, `redis-host:${holder}`, clock.now, logLevel);
  const serving = new Map<string, Serving>();
  let redis: Redis | undefined;
  let timer: ReturnType<typeof setInterval> | undefined;
  let ticking = false;
  let stopped = false;
  let commits = 0;
  let selfSends = 0;
  let lastOutage = 0;
  let lastDelivered: Serving | undefined;

  const onError = (error: Error) => {
    const now = Date.now();
    if (now - lastOutage > 5_000) {
      log.warn("bus unreachable; halted until Redis answers again", { error: error.message });
    }
    lastOutage = now;
  };

  async function tick() {
    if (ticking || stopped || !redis) return;
    ticking = true;
    try {
      for (const s of [...serving.values()]) {
        // Also when it expired during an outage and nobody else took it: ours again (our committed state is current).
        if (await acquireLease(redis, keys.lease(s.path), holder, leaseMs)) continue;
        log.warn("lost the lease; another process serves the actor now", { path: s.path });
        drop(s);
      }
      const paths = await redis.smembers(keys.actors);
      const registered = new Set(paths);
      for (const s of [...serving.values()]) {
        // Removed from the tree (a strategy removed while running): nothing more to serve.
        if (registered.has(s.path)) continue;
        drop(s);
        await releaseLease(redis, keys.lease(s.path), holder);
      }
      for (const path of paths) {
        if (serving.has(path) || stopped) continue;
        if (await acquireLease(redis, keys.lease(path), holder, leaseMs)) await serve(path);
      }
    } catch (err) {
      onError(err as Error);
    } finally {
      ticking = false;
    }
  }

  function drop(s: Serving) {
    s.active = false;
    s.cell = undefined;
    serving.delete(s.path);
    s.reader.disconnect();
  }

  async function loadState(s: Serving) {
    const h = await redis!.hgetall(keys.state(s.path));
    s.ver = Number(h.ver ?? 0);
    s.seen = h.seen ? fromWire(h.seen) : {};
    s.snap = h.snap ? fromWire(h.snap) : undefined;
    s.snapDirty = false;
  }

  async function serve(path: string) {
    const reader = await connectBus(address.url, {
      label: `reader of ${path}`,
      onError,
      onReconnect: () => {
        const s = serving.get(path);
        if (s?.reader === reader) s.reconnected = true;
      },
    });
    const s: Serving = {
      path,
      reader,
      active: true,
      cell: undefined,
      exit: undefined,
      out: [],
      delivering: false,
      ver: 0,
      seen: {},
      snap: undefined,
      snapDirty: false,
      held: [],
      hostSeq: 0,
      lastId: "0-0",
      reconnected: false,
      stray: undefined,
      suspects: new Set(),
      processed: 0,
      duplicates: 0,
      loop: undefined,
    };
    serving.set(path, s);
    log.info("serving actor", { path });
    s.loop = run(s).catch((err) => {
      log.error("actor loop failed; releasing it", { path, error: errorText(err) });
      drop(s);
      void releaseLease(redis!, keys.lease(path), holder).catch(() => {});
    });
  }

  async function run(s: Serving) {
    await ensureGroup(redis!, keys.mailbox(s.path), ACTOR_GROUP);
    await loadState(s);
    // What the previous holder read and did not commit comes first, in stream order. Claiming at once (not only
    // entries idle a lease long) is safe: we hold the lease, and the commit fence refuses the old holder.
    let cursor = "0-0";
    do {
      const [next, entries] = await s.reader.xautoclaim(
        keys.mailbox(s.path),
        ACTOR_GROUP,
        holder,
        0,
        cursor,
        "COUNT",
        batch,
      ) as [string, RawEntry[]];
      cursor = next;
      if (entries.length > 0) await handle(s, await unlessPoison(s, entries));
    } while (cursor !== "0-0" && s.active);
    let lastClaim = Date.now();
    while (s.active && !stopped) {
      let entries: RawEntry[] = [];
      try {
        const res = await s.reader.xreadgroup(
          "GROUP",
          ACTOR_GROUP,
          holder,
          "COUNT",
          batch,
          "BLOCK",
          blockMs,
          "STREAMS",
          keys.mailbox(s.path),
          ">",
        ) as [string, RawEntry[]][] | null;
        entries = res?.[0]?.[1] ?? [];
        if (s.stray !== undefined) await reportStray(s);
        if (s.reconnected) {
          // Everything read and not handled yet, in order: what this read returned, and before it what a read
          // whose reply was lost in the outage delivered.
          s.reconnected = false;
          entries = await pendingAfter(s.reader, keys.mailbox(s.path), ACTOR_GROUP, holder, s.lastId, batch);
          if (entries.length === batch) s.reconnected = true; // more of them: the next turn reads on
        }
        // Entries stuck with a consumer that lost the lease mid-read (it can no longer commit them).
        if (entries.length === 0 && Date.now() - lastClaim > leaseMs) {
          lastClaim = Date.now();
          const [, stale] = await s.reader.xautoclaim(
            keys.mailbox(s.path),
            ACTOR_GROUP,
            holder,
            leaseMs,
            "0-0",
            "COUNT",
            batch,
          ) as [string, RawEntry[]];
          const held = new Set(s.held.map((h) => h[0]));
          entries = await unlessPoison(s, stale.filter((e) => e[1].length > 0 && !held.has(e[0])));
        }
      } catch (err) {
        if (!s.active) return;
        if (String((err as Error).message).includes("NOGROUP")) {
          // The core reset the mailbox for a new run.
          await ensureGroup(redis!, keys.mailbox(s.path), ACTOR_GROUP);
          continue;
        }
        onError(err as Error);
        s.reconnected = true;
        await sleep(200);
        continue;
      }
      if (entries.length > 0 && s.active) await handle(s, entries);
    }
  }

  /**
   * Claimed entries are suspects: another holder died with them. Before handling one, its id is written down; a
   * holder that finds the id of an entry it claims written down knows the last holder died handling that very entry
   * after it had been claimed once already, i.e. two processes died on it. That entry is dropped as poison (as the
   * Worker host drops the message that crashed an actor), so a message that hangs or kills its process cannot take
   * down every standby in turn.
   */
  async function unlessPoison(s: Serving, entries: RawEntry[]): Promise<RawEntry[]> {
    if (entries.length === 0) return entries;
    for (const e of entries) s.suspects.add(e[0]);
    const marked = await redis!.get(keys.handling(s.path));
    if (marked === null || !entries.some((e) => e[0] === marked)) return entries;
    log.error("dropped a message two processes died handling (poison)", { path: s.path, id: marked });
    s.suspects.delete(marked);
    if (!await commitBatch(s, [marked], [])) return [];
    return entries.filter((e) => e[0] !== marked);
  }

  /** Handles a batch in stream order; a start or stop is a commit boundary of its own. */
  async function handle(s: Serving, entries: RawEntry[]) {
    let acks: string[] = [];
    let outs: InboxEntry[] = [];
    const flush = async () => {
      const ok = await commitBatch(s, acks, outs);
      acks = [];
      outs = [];
      return ok;
    };
    for (const raw of entries) {
      if (!s.active) return;
      const id = raw[0];
      if (idAfter(id, s.lastId)) s.lastId = id;
      let entry: MailboxEntry;
      try {
        entry = fromWire<MailboxEntry>(entryText(raw));
      } catch (err) {
        log.error("dropped a mailbox entry that is not JSON", { path: s.path, id, error: errorText(err) });
        acks.push(id);
        continue;
      }
      switch (entry.k) {
        case "env":
          if (!s.cell?.alive) {
            s.held.push([id, entry]);
            continue;
          }
          await deliver(s, id, entry, acks, outs);
          continue;
        case "start": {
          if (!await flush()) return;
          await startCell(s, entry, outs);
          acks.push(id);
          if (!await flush()) return;
          const held = s.held;
          s.held = [];
          for (const [hid, h] of held) {
            if (h.k === "env" && s.cell?.alive) await deliver(s, hid, h, acks, outs);
            else s.held.push([hid, h]);
          }
          continue;
        }
        case "stop": {
          if (!await flush()) return;
          const cell = s.cell;
          s.cell = undefined;
          if (cell) await cell.stop().catch((err) => log.warn("stop hook failed", { error: errorText(err) }));
          outs.push({ k: "stopped", path: s.path, cid: entry.cid });
          acks.push(id);
          if (!await flush()) return;
          continue;
        }
        default:
          log.error("dropped an unknown mailbox entry", { path: s.path, id });
          acks.push(id);
      }
    }
    await flush();
  }

  function isDuplicate(s: Serving, id: string): boolean {
    const at = id.lastIndexOf(":");
    const link = id.slice(0, at);
    const n = Number(id.slice(at + 1));
    if (n <= (s.seen[link] ?? 0)) return true;
    s.seen[link] = n;
    return false;
  }

  async function deliver(
    s: Serving,
    id: string,
    entry: Extract<MailboxEntry, { k: "env" }>,
    acks: string[],
    outs: InboxEntry[],
  ) {
    acks.push(id);
    if (isDuplicate(s, entry.id)) {
      s.duplicates++;
      return;
    }
    const cell = s.cell!;
    s.out = [];
    s.exit = undefined;
    if (s.suspects.delete(id)) await redis!.set(keys.handling(s.path), id);
    s.delivering = true;
    lastDelivered = s;
    try {
      const pending = cell.deliver(entry.env, ++s.hostSeq);
      if (pending) await pending;
    } finally {
      s.delivering = false;
    }
    s.processed++;
    const exit = s.exit as Serving["exit"];
    if (exit?.reason === "crash") {
      // As in the Worker host: the message that crashed the actor is dropped, and with it what it sent meanwhile.
      log.error("actor crashed; dropped the message that crashed it", { path: s.path, id });
      s.cell = undefined;
      outs.push({ k: "exit", path: s.path, reason: "crash", error: errorText(exit.error) });
      return;
    }
    for (const env of s.out) outs.push({ k: "env", env });
    if (exit?.reason === "normal") {
      s.cell = undefined;
      outs.push({ k: "exit", path: s.path, reason: "normal" });
    }
  }

  async function startCell(s: Serving, entry: Extract<MailboxEntry, { k: "start" }>, outs: InboxEntry[]) {
    s.cell = undefined;
    await loadState(s);
    const snapshot = entry.restart ? s.snap : undefined;
    try {
      // The bus names the module to run: only a file on this host, never code from a URL someone wrote to Redis.
      if (!entry.spec.module.startsWith("file:")) {
        throw new Error(`refusing to load ${JSON.stringify(entry.spec.module)}: a remote host runs file: modules only`);
      }
      const behaviour = await loadBehaviour(s.path, entry.spec);
      const cell = createCell(s.path, entry.spec, behaviour, {
        clock,
        logSink,
        logLevel,
        seed: options.seed ?? 0,
        send(env) {
          // Inside a delivery (or start) it goes with the commit; a timer's message goes out at once.
          if (s.delivering) s.out.push(env);
          else void sendNow(s, env);
        },
        exited(reason, error) {
          s.exit = { reason, error };
        },
        snapshotTaken(snap) {
          s.snap = snap;
          s.snapDirty = true;
        },
      });
      s.out = [];
      s.delivering = true;
      try {
        await cell.start(snapshot);
      } finally {
        s.delivering = false;
      }
      s.cell = cell;
      if (!entry.restart) {
        s.snap = undefined;
        s.snapDirty = true;
      }
      for (const env of s.out) outs.push({ k: "env", env });
      s.out = [];
      outs.push({ k: "started", path: s.path, cid: entry.cid, holder });
    } catch (err) {
      s.cell = undefined;
      outs.push({
        k: "start_failed",
        path: s.path,
        cid: entry.cid,
        error: errorText(err),
        config: err instanceof ConfigError,
      });
    }
  }

  async function sendNow(s: Serving, env: Envelope) {
    const text = env.to === s.path
      ? toWire({ k: "env", id: `${holder}:t:${++selfSends}`, env } satisfies MailboxEntry)
      : toWire({ k: "env", env } satisfies InboxEntry);
    const key = env.to === s.path ? keys.mailbox(s.path) : keys.inbox;
    await redis!.xadd(key, "MAXLEN", "~", maxLen, "*", "e", text).catch((err) => onError(err as Error));
  }

  /**
   * An error no handler caught (a promise an actor left rejected, a throw in its timer) is the crash of the actor that
   * handled the last message, as in the Worker host: one strategy's stray error must not end the process that serves
   * the others (nor, after it, the standby that would take the same message). The listeners are the process's, so a
   * remote host wants a process of its own (as `live --role strategies` gives it).
   */
  function onStray(event: Event, error: unknown) {
    const s = lastDelivered;
    if (!s?.cell || !serving.has(s.path)) return;
    event.preventDefault();
    log.error("uncaught error in an actor; it crashed", { path: s.path, error: errorText(error) });
    s.cell = undefined;
    s.stray = error ?? "uncaught error";
  }
  const onRejection = (event: PromiseRejectionEvent) => onStray(event, event.reason);
  const onUncaught = (event: ErrorEvent) => onStray(event, event.error ?? event.message);

  async function reportStray(s: Serving) {
    const error = s.stray;
    s.stray = undefined;
    await commitBatch(s, [], [{ k: "exit", path: s.path, reason: "crash", error: `uncaught: ${errorText(error)}` }]);
  }

  async function commitBatch(s: Serving, acks: string[], outs: InboxEntry[]): Promise<boolean> {
    if (acks.length === 0 && outs.length === 0 && !s.snapDirty) return true;
    const result = await commit(redis!, {
      lease: keys.lease(s.path),
      state: keys.state(s.path),
      mailbox: keys.mailbox(s.path),
      inbox: keys.inbox,
    }, {
      holder,
      expectedVer: s.ver,
      cid: `${holder}:${++commits}`,
      snap: s.snapDirty ? (s.snap === undefined ? "" : toWire(s.snap)) : undefined,
      seen: toWire(s.seen),
      group: ACTOR_GROUP,
      maxLen,
      acks,
      outputs: outs.map((o) => toWire(o)),
    });
    if (result.kind === "ok") {
      s.ver = result.ver;
      s.snapDirty = false;
      return true;
    }
    log.warn("commit refused; dropping the actor's uncommitted state", { path: s.path, why: result.kind });
    drop(s);
    // Still ours after a reset by the core (a new run): free it, so it is taken again from the new state.
    if (result.kind === "stale_version") await releaseLease(redis!, keys.lease(s.path), holder);
    return false;
  }

  return {
    kind: "redis",
    holder,
    async start() {
      redis = await connectBus(address.url, { label: "remote host", onError });
      globalThis.addEventListener("unhandledrejection", onRejection);
      globalThis.addEventListener("error", onUncaught);
      await tick();
      timer = setInterval(() => void tick(), Math.max(50, Math.floor(leaseMs / 3)));
    },
    async stop() {
      stopped = true;
      globalThis.removeEventListener("unhandledrejection", onRejection);
      globalThis.removeEventListener("error", onUncaught);
      if (timer !== undefined) clearInterval(timer);
      const all = [...serving.values()];
      for (const s of all) drop(s);
      await Promise.all(all.map((s) => s.loop?.catch(() => {})));
      if (redis) {
        for (const s of all) await releaseLease(redis, keys.lease(s.path), holder).catch(() => {});
        await redis.quit().catch(() => redis?.disconnect());
      }
    },
    held: () => [...serving.keys()],
    stats: () =>
      [...serving.values()].map((s) => ({
        path: s.path,
        running: s.cell?.alive ?? false,
        processed: s.processed,
        duplicates: s.duplicates,
      })),
  };
}
