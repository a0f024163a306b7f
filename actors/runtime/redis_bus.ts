/**
 * What the two ends of the Redis bus share: the bus address, the key layout, the entries on the streams and the
 * connection. The core end is redis_link.ts (inside the Worker host), the remote end redis_host.ts.
 *
 * Keys, all under the hash tag `{name}` (one deployment) so a Redis Cluster keeps them in one slot, where the commit
 * script may touch them together:
 *   ta:{name}:mbx:<actor path>   a remote actor's mailbox stream (consumer group "actors")
 *   ta:{name}:mbx:$core          the core's inbox: what remote actors send, and their lifecycle events (group "core")
 *   ta:{name}:lease:<path>       who runs the actor now: a holder id with a PX expiry, renewed while it lives
 *   ta:{name}:state:<path>       its committed state: ver, snap (its last snapshot), seen (dedupe marks), cid
 *   ta:{name}:handling:<path>    the claimed entry its holder is handling (two deaths on one entry: poison)
 *   ta:{name}:actors             the set of actor paths the core put on the bus (what remote processes serve)
 */
import { Redis } from "ioredis";
import type { Envelope } from "./behaviour.ts";
import type { ActorSpec } from "./spec.ts";
import { BusConfigError, redactUrl } from "./bus_url.ts";

export { type BusAddress, BusConfigError, parseBusUrl, redactUrl } from "./bus_url.ts";

/** The core's inbox is a mailbox like the others, at a path no actor can have ("$" is not a valid child id). */
export const CORE_INBOX = "$core";
export const ACTOR_GROUP = "actors";
export const CORE_GROUP = "core";

export function busKeys(name: string) {
  const base = `ta:{${name}}`;
  return {
    mailbox: (path: string) => `${base}:mbx:${path}`,
    inbox: `${base}:mbx:${CORE_INBOX}`,
    lease: (path: string) => `${base}:lease:${path}`,
    state: (path: string) => `${base}:state:${path}`,
    /** The claimed entry a holder was handling (poison detection, redis_host.ts). */
    handling: (path: string) => `${base}:handling:${path}`,
    actors: `${base}:actors`,
  };
}
export type BusKeys = ReturnType<typeof busKeys>;

/** A mailbox entry (core → remote actor). `id` = `<link>:<n>`, n rising per link: the receiver's dedupe mark. */
export type MailboxEntry =
  | { readonly k: "env"; readonly id: string; readonly env: Envelope }
  | { readonly k: "start"; readonly cid: string; readonly spec: ActorSpec; readonly restart: boolean }
  | { readonly k: "stop"; readonly cid: string };

/** An inbox entry (remote → core). */
export type InboxEntry =
  | { readonly k: "env"; readonly env: Envelope }
  | { readonly k: "started"; readonly path: string; readonly cid: string; readonly holder: string }
  | {
    readonly k: "start_failed";
    readonly path: string;
    readonly cid: string;
    readonly error: string;
    readonly config: boolean;
  }
  | { readonly k: "exit"; readonly path: string; readonly reason: "normal" | "crash"; readonly error?: string }
  | { readonly k: "stopped"; readonly path: string; readonly cid: string };

/** Default bound of a mailbox stream (XADD MAXLEN ~): far above any mailbox capacity, so trimming drops only acked. */
export const DEFAULT_STREAM_MAXLEN = 200_000;

export interface ConnectOptions {
  /** Reported in errors (e.g. "bus"). */
  readonly label: string;
  readonly onError?: (error: Error) => void;
  /** Called each time the connection is ready again after it was lost. */
  readonly onReconnect?: () => void;
}

/**
 * A connection that waits out an outage: commands issued while Redis is down queue (in order) and are sent on
 * reconnect, and a command in flight when the connection dropped is sent again. So a sender halts and resumes
 * rather than losing a message; the receivers' dedupe marks and the commit's version make a resent command
 * harmless.
 */
export async function connectBus(url: string, options: ConnectOptions): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    enableOfflineQueue: true,
    autoResendUnfulfilledCommands: true,
    retryStrategy: (times) => Math.min(50 * times, 1_000),
  });
  let lastError: unknown;
  redis.on("error", (error: Error) => {
    lastError = error;
    options.onError?.(error);
  });
  try {
    await redis.connect();
    const onReconnect = options.onReconnect;
    if (onReconnect) redis.on("ready", () => onReconnect());
    return redis;
  } catch (error) {
    redis.disconnect();
    const why = (lastError ?? error) instanceof Error ? ((lastError ?? error) as Error).message : String(error);
    throw new BusConfigError(`Cannot connect the ${options.label} to Redis at ${redactUrl(url)}: ${why}`);
  }
}

/** Creates the group at the stream's start (and the stream); an existing group is fine. */
export async function ensureGroup(redis: Redis, key: string, group: string): Promise<void> {
  try {
    await redis.xgroup("CREATE", key, group, "0", "MKSTREAM");
  } catch (err) {
    if (!String((err as Error).message).includes("BUSYGROUP")) throw err;
  }
}

/** Stream entries as ioredis returns them: [id, [field, value, …]]. Each entry has one field "e". */
export type RawEntry = [string, string[]];

export function entryText(raw: RawEntry): string {
  const fields = raw[1];
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === "e") return fields[i + 1];
  return "";
}

/** Is stream entry id `a` after `b`? ("ms-seq", compared as numbers.) */
export function idAfter(a: string, b: string): boolean {
  const [am, as] = a.split("-").map(Number);
  const [bm, bs] = b.split("-").map(Number);
  return am > bm || (am === bm && as > bs);
}

/**
 * Entries delivered to `consumer` after `afterId` and not acknowledged, oldest first, at most `count`. After a
 * reconnect: a read whose reply was lost (Redis went down as it answered, and the read was sent again) left its
 * entries in the consumer's own pending list, where a read of new entries never returns them.
 */
export async function pendingAfter(
  redis: Redis,
  key: string,
  group: string,
  consumer: string,
  afterId: string,
  count: number,
): Promise<RawEntry[]> {
  const res = await redis.xreadgroup("GROUP", group, consumer, "COUNT", count, "STREAMS", key, afterId) as
    | [string, RawEntry[]][]
    | null;
  return res?.[0]?.[1] ?? [];
}
