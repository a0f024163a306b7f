/**
 * The core's end of the Redis bus: given to the Worker host (`remote`), it carries the mailboxes of the actors that
 * run in another process (redis_host.ts) and reports their lifecycle to the host's supervision tree, as a Worker's
 * would be: a start waits for a remote process to start the actor, an exit it reports is the actor's exit, and a
 * lease that expires (its process died or hangs) is a crash. While Redis is down, sends queue in order and the lease
 * checks wait: the remote actors are halted, not declared dead, until Redis answers again.
 */
import type { Redis } from "ioredis";
import type { Envelope } from "./behaviour.ts";
import { ActorError, ConfigError, errorText, InitError } from "./errors.ts";
import type { Logger } from "./log.ts";
import {
  ACTOR_GROUP,
  busKeys,
  connectBus,
  CORE_GROUP,
  DEFAULT_STREAM_MAXLEN,
  ensureGroup,
  entryText,
  type InboxEntry,
  type MailboxEntry,
  parseBusUrl,
  pendingAfter,
  type RawEntry,
} from "./redis_bus.ts";
import { type LinkSink, REMOTE_LOST, type RemoteLink, type RemoteLinkStats } from "./remote_link.ts";
import type { ActorSpec } from "./spec.ts";
import { fromWire, toWire } from "./wire.ts";

export interface RedisLinkOptions {
  readonly bus: string;
  /** Which actor paths run on the bus. */
  readonly remote: (path: string) => boolean;
  /** The lease the remote hosts use (they must agree). Default: the bus URL's leaseMs. */
  readonly leaseMs?: number;
  /** How long a start waits for a remote process. Default 30 s. */
  readonly startTimeoutMs?: number;
  readonly log: Logger;
  readonly maxLen?: number;
}

interface Remote {
  readonly path: string;
  running: boolean;
  holder: string | undefined;
  sent: number;
  depth: number;
  maxDepth: number;
  processed: number;
  waiter: { cid: string; done: (entry: InboxEntry | undefined) => void } | undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function createRedisLink(options: RedisLinkOptions): Promise<RemoteLink> {
  const address = parseBusUrl(options.bus);
  const keys = busKeys(address.name);
  const leaseMs = options.leaseMs ?? address.leaseMs;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const maxLen = options.maxLen ?? DEFAULT_STREAM_MAXLEN;
  const log = options.log;
  const linkId = `core-${crypto.randomUUID().slice(0, 12)}`;
  let lastOutage = 0;
  const onError = (error: Error) => {
    const now = Date.now();
    if (now - lastOutage > 5_000) {
      log.warn("bus unreachable; remote actors halted until Redis answers again", {
        error: error.message,
      });
    }
    lastOutage = now;
  };
  const cmd: Redis = await connectBus(address.url, { label: "core's bus link", onError });
  let reconnected = false;
  const reader: Redis = await connectBus(address.url, {
    label: "core's bus reader",
    onError,
    onReconnect: () => (reconnected = true),
  });
  const remotes = new Map<string, Remote>();
  let sink: LinkSink | undefined;
  let sendSeq = 0;
  let closed = false;
  let checking = false;

  // A new run. The remote actors of an earlier one lose their committed state first, so a strategy process still
  // handling that run's messages can no longer commit (its version is gone): nothing it sends reaches this run's
  // inbox, which is cleared next. Each actor starts fresh when the tree starts it (restored from the journal).
  const earlier = await cmd.smembers(keys.actors);
  if (earlier.length > 0) {
    await cmd.del(...earlier.flatMap((path) => [keys.state(path), keys.mailbox(path), keys.handling(path)]));
  }
  await cmd.del(keys.inbox);
  await ensureGroup(cmd, keys.inbox, CORE_GROUP);

  const remoteOf = (path: string) => {
    let r = remotes.get(path);
    if (!r) {
      r = { path, running: false, holder: undefined, sent: 0, depth: 0, maxDepth: 0, processed: 0, waiter: undefined };
      remotes.set(path, r);
    }
    return r;
  };

  function xadd(key: string, entry: MailboxEntry): Promise<unknown> {
    return cmd.xadd(key, "MAXLEN", "~", maxLen, "*", "e", toWire(entry)).catch((err) => {
      if (!closed) log.error("cannot add to a mailbox stream", { key, error: errorText(err) });
    });
  }

  function dispatch(entry: InboxEntry) {
    switch (entry.k) {
      case "env":
        sink?.route(entry.env);
        return;
      case "started":
      case "start_failed":
      case "stopped": {
        const r = remotes.get(entry.path);
        if (r?.waiter?.cid === entry.cid) r.waiter.done(entry);
        return;
      }
      case "exit": {
        const r = remotes.get(entry.path);
        if (!r?.running) return;
        r.running = false;
        sink?.exited(
          entry.path,
          entry.reason,
          entry.reason === "crash" ? new ActorError(entry.path, entry.error ?? "crashed") : undefined,
        );
        return;
      }
      default:
        log.error("dropped an unknown inbox entry", { entry });
    }
  }

  async function readInbox() {
    let lastId = "0-0";
    while (!closed) {
      try {
        let entries = await readNew();
        if (reconnected) {
          // Everything delivered and not dispatched yet, in order: this read's entries, and before them those of a
          // read whose reply was lost in the outage.
          reconnected = false;
          entries = await pendingAfter(reader, keys.inbox, CORE_GROUP, linkId, lastId, 512);
          if (entries.length === 512) reconnected = true;
        }
        if (entries.length === 0) continue;
        for (const raw of entries) {
          lastId = raw[0];
          try {
            dispatch(fromWire<InboxEntry>(entryText(raw)));
          } catch (err) {
            log.error("dropped an inbox entry", { id: raw[0], error: errorText(err) });
          }
        }
        void cmd.xack(keys.inbox, CORE_GROUP, ...entries.map((e) => e[0])).catch(() => {});
      } catch (err) {
        if (closed) return;
        if (String((err as Error).message).includes("NOGROUP")) {
          await ensureGroup(cmd, keys.inbox, CORE_GROUP).catch(() => {});
          continue;
        }
        onError(err as Error);
        reconnected = true;
        await sleep(200);
      }
    }
  }

  async function readNew(): Promise<RawEntry[]> {
    const res = await reader.xreadgroup(
      "GROUP",
      CORE_GROUP,
      linkId,
      "COUNT",
      512,
      "BLOCK",
      1_000,
      "STREAMS",
      keys.inbox,
      ">",
    ) as [string, RawEntry[]][] | null;
    return res?.[0]?.[1] ?? [];
  }

  /** A remote actor whose lease is gone, or held by another process than the one that started it, died. */
  async function checkLeases() {
    if (checking || closed) return;
    checking = true;
    try {
      for (const r of remotes.values()) {
        if (!r.running) continue;
        await readDepth(r).catch(() => {}); // counters only: a missing stream must not skip the lease check
        const now = await cmd.get(keys.lease(r.path));
        if (!r.running || now === r.holder) continue;
        r.running = false;
        const why = now === null ? `its lease expired (${leaseMs} ms)` : `its lease passed to ${now}`;
        log.error("remote actor lost", { path: r.path, holder: r.holder });
        sink?.exited(r.path, "crash", new ActorError(r.path, `${REMOTE_LOST}: ${why}; holder ${r.holder} is gone`));
      }
    } catch (err) {
      onError(err as Error);
    } finally {
      checking = false;
    }
  }

  /** The mailbox's backlog from its consumer group (lag: not read yet; pending: read, not committed). */
  async function readDepth(r: Remote) {
    const groups = await cmd.xinfo("GROUPS", keys.mailbox(r.path)) as unknown[][];
    for (const g of groups) {
      const f = new Map<unknown, unknown>();
      for (let i = 0; i + 1 < g.length; i += 2) f.set(g[i], g[i + 1]);
      if (f.get("name") !== ACTOR_GROUP) continue;
      const pending = Number(f.get("pending") ?? 0);
      r.depth = pending + Number(f.get("lag") ?? 0);
      r.maxDepth = Math.max(r.maxDepth, r.depth);
      r.processed = Math.max(0, Number(f.get("entries-read") ?? 0) - pending);
    }
  }

  const reading = readInbox();
  const timer = setInterval(() => void checkLeases(), Math.max(50, Math.floor(leaseMs / 3)));

  function await_(r: Remote, cid: string, timeoutMs: number): Promise<InboxEntry | undefined> {
    return new Promise((resolve) => {
      const t = setTimeout(() => finish(undefined), timeoutMs);
      const finish = (entry: InboxEntry | undefined) => {
        clearTimeout(t);
        if (r.waiter?.cid === cid) r.waiter = undefined;
        resolve(entry);
      };
      r.waiter = { cid, done: finish };
    });
  }

  return {
    hosts: (path) => options.remote(path),
    bind(s) {
      sink = s;
    },
    async start(spec: ActorSpec, path: string, restart: boolean) {
      const r = remoteOf(path);
      if (!restart) {
        // A fresh start in this run: no message or state of an earlier run.
        await cmd.del(keys.mailbox(path), keys.state(path), keys.handling(path));
        await ensureGroup(cmd, keys.mailbox(path), ACTOR_GROUP);
      }
      await cmd.sadd(keys.actors, path);
      const cid = crypto.randomUUID();
      const answer = await_(r, cid, startTimeoutMs);
      await xadd(keys.mailbox(path), { k: "start", cid, spec, restart });
      const entry = await answer;
      if (entry === undefined) {
        throw new InitError(
          path,
          `no remote host started it within ${startTimeoutMs} ms: is a \`deno task live --role strategies --bus …\` ` +
            `process running on this bus (deployment "${address.name}")?`,
        );
      }
      if (entry.k === "start_failed") {
        throw entry.config ? new RemoteConfigError(path, entry.error) : new InitError(path, entry.error);
      }
      if (entry.k !== "started") throw new InitError(path, `unexpected answer "${entry.k}" to a start`);
      r.holder = entry.holder;
      r.running = true;
    },
    async stop(path: string, timeoutMs: number) {
      const r = remotes.get(path);
      if (!r?.running) return;
      r.running = false;
      const cid = crypto.randomUUID();
      const answer = await_(r, cid, timeoutMs);
      await xadd(keys.mailbox(path), { k: "stop", cid });
      if ((await answer) === undefined) log.warn("remote actor did not confirm its stop", { path, timeoutMs });
    },
    forget(path: string) {
      remotes.delete(path);
      void cmd.srem(keys.actors, path).catch(() => {});
    },
    send(env: Envelope) {
      const r = remoteOf(env.to);
      r.sent++;
      void xadd(keys.mailbox(env.to), { k: "env", id: `${linkId}:${++sendSeq}`, env });
    },
    stats: (): RemoteLinkStats[] =>
      [...remotes.values()].map((r) => ({
        path: r.path,
        running: r.running,
        holder: r.holder,
        sent: r.sent,
        depth: r.depth,
        maxDepth: r.maxDepth,
        processed: r.processed,
      })),
    async close() {
      closed = true;
      clearInterval(timer);
      for (const r of remotes.values()) r.waiter?.done(undefined);
      reader.disconnect();
      await reading.catch(() => {});
      await cmd.quit().catch(() => cmd.disconnect());
    },
  };
}

/** A remote actor's config was refused where it runs. */
class RemoteConfigError extends ConfigError {
  constructor(actor: string, message: string) {
    super(actor, "config", message);
    this.message = message;
  }
}
