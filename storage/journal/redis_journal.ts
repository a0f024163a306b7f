/**
 * The journal on Redis Streams (ioredis): the scale-out backend, where consumers on other processes read through
 * consumer groups with acknowledgements.
 *
 * Keys, all under one hash tag `{prefix}` so a Redis Cluster keeps them in one slot (the append script touches them
 * together): `:seq` (INCR counter), `:ids` (hash eventId → seq, the idempotency index; it is never trimmed, so a
 * replayed append stays a no-op), `:events` (the global stream), `:s:<stream>` (one stream per journal stream, for
 * reads by stream), `:streams` (set of stream names), `:snap:<actor>`.
 * Entry ids are `<seq>-0`, so a seq range is an XRANGE and the order of entries is the order of seqs.
 */
import { Redis } from "ioredis";
import { describe, redact, StorageError } from "../db.ts";
import type { Journal, JournalRecord, NewEvent, ReadOptions, Snapshot } from "./types.ts";

// Atomic per batch: each event is looked up in the id index, and only a new one gets a seq and is added.
const APPEND_SCRIPT = `
local out = {}
for i = 2, #ARGV, 5 do
  local seq = redis.call('HGET', KEYS[2], ARGV[i])
  if not seq then
    seq = redis.call('INCR', KEYS[1])
    local id = seq .. '-0'
    local s = ARGV[i + 1]
    redis.call('XADD', KEYS[3], id, 'e', ARGV[i], 's', s, 't', ARGV[i + 2], 'ts', ARGV[i + 3], 'p', ARGV[i + 4])
    redis.call('XADD', ARGV[1] .. s, id, 'e', ARGV[i], 's', s, 't', ARGV[i + 2], 'ts', ARGV[i + 3], 'p', ARGV[i + 4])
    redis.call('SADD', KEYS[4], s)
    redis.call('HSET', KEYS[2], ARGV[i], seq)
  end
  out[#out + 1] = tonumber(seq)
end
return out`;

// Keeps each script call's argument list (and the time Redis is blocked running it) bounded.
const CHUNK = 1000;

export interface RedisJournalOptions {
  /** Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /** Key namespace. Default `tradeactor:journal`. */
  readonly prefix?: string;
}

export interface ConsumerReadOptions {
  readonly count?: number;
  /** Wait up to this long for new entries (on the consumer's own connection). Default: do not wait. */
  readonly blockMs?: number;
}

/** One member of a consumer group: reads entries no other member got, acknowledges them, takes over a dead one's. */
export interface StreamConsumer {
  /** New entries, delivered to this consumer only; they stay pending until acknowledged. */
  read(options?: ConsumerReadOptions): Promise<JournalRecord[]>;
  /** Entries delivered to this consumer and not yet acknowledged (what a restarted consumer must redo). */
  pending(count?: number): Promise<JournalRecord[]>;
  ack(seqs: readonly number[]): Promise<number>;
  /** Takes over entries pending longer than `minIdleMs` in any member (e.g. one that died): XAUTOCLAIM. */
  claimStale(minIdleMs: number, count?: number): Promise<JournalRecord[]>;
  close(): Promise<void>;
}

export interface RedisJournal extends Journal {
  /** Joins `group` (created at `fromSeq`, default: the beginning) as `consumer`, on the global or one stream. */
  subscribe(group: string, consumer: string, options?: { stream?: string; fromSeq?: number }): Promise<StreamConsumer>;
  /** Keeps the newest `maxLen` entries of the global stream and drops older ones from every per-stream index. */
  trim(maxLen: number): Promise<number>;
}

export async function openRedisJournal(options: RedisJournalOptions = {}): Promise<RedisJournal> {
  const url = options.url ?? "redis://127.0.0.1:6379";
  const redis = await connect(url);
  const base = `{${options.prefix ?? "tradeactor:journal"}}`;
  const keys = { seq: `${base}:seq`, ids: `${base}:ids`, events: `${base}:events`, streams: `${base}:streams` };
  const streamKey = (stream?: string) => stream === undefined ? keys.events : `${base}:s:${stream}`;
  const consumers = new Set<StreamConsumer>();

  async function append(events: readonly NewEvent[]): Promise<number[]> {
    const seqs: number[] = [];
    for (let i = 0; i < events.length; i += CHUNK) {
      const args = [`${base}:s:`];
      for (const e of events.slice(i, i + CHUNK)) {
        args.push(e.eventId, e.stream, e.type, String(e.ts), JSON.stringify(e.payload ?? null));
      }
      const out = await redis.eval(APPEND_SCRIPT, 4, keys.seq, keys.ids, keys.events, keys.streams, ...args);
      seqs.push(...(out as number[]));
    }
    return seqs;
  }

  async function read(options: ReadOptions = {}): Promise<JournalRecord[]> {
    const from = options.fromSeq === undefined ? "-" : `${Math.max(options.fromSeq, 0)}-0`;
    const to = options.toSeq === undefined ? "+" : `${options.toSeq}-0`;
    const entries = options.limit === undefined
      ? await redis.xrange(streamKey(options.stream), from, to)
      : await redis.xrange(streamKey(options.stream), from, to, "COUNT", options.limit);
    return entries.map(toRecord);
  }

  async function lastSeq(): Promise<number> {
    return Number(await redis.get(keys.seq) ?? 0);
  }

  async function saveSnapshot(actor: string, seq: number, data: unknown): Promise<void> {
    await redis.set(`${base}:snap:${actor}`, JSON.stringify({ seq, data: data ?? null }));
  }

  async function loadSnapshot(actor: string): Promise<Snapshot | undefined> {
    const json = await redis.get(`${base}:snap:${actor}`);
    if (json === null) return undefined;
    const { seq, data } = JSON.parse(json);
    return { actor, seq, data };
  }

  async function subscribe(
    group: string,
    consumer: string,
    options: { stream?: string; fromSeq?: number } = {},
  ): Promise<StreamConsumer> {
    const key = streamKey(options.stream);
    const start = options.fromSeq ? `${options.fromSeq - 1}-0` : "0";
    try {
      await redis.xgroup("CREATE", key, group, start, "MKSTREAM");
    } catch (error) {
      if (!String(error).includes("BUSYGROUP")) throw error;
    }
    // A blocking XREADGROUP holds its connection: give each consumer its own so the journal's stays free.
    const own = redis.duplicate();
    own.on("error", () => {});
    const handle: StreamConsumer = {
      async read(opts = {}) {
        const count = ["COUNT", opts.count ?? 100] as const;
        const reply = opts.blockMs
          ? await own.xreadgroup("GROUP", group, consumer, ...count, "BLOCK", opts.blockMs, "STREAMS", key, ">")
          : await own.xreadgroup("GROUP", group, consumer, ...count, "STREAMS", key, ">");
        return streamEntries(reply);
      },
      async pending(count = 100) {
        const reply = await own.xreadgroup("GROUP", group, consumer, "COUNT", count, "STREAMS", key, "0");
        return streamEntries(reply);
      },
      async ack(seqs) {
        return seqs.length === 0 ? 0 : await own.xack(key, group, ...seqs.map((s) => `${s}-0`));
      },
      async claimStale(minIdleMs, count = 100) {
        const reply = await own.xautoclaim(key, group, consumer, minIdleMs, "0-0", "COUNT", count) as [
          string,
          RawEntry[],
        ];
        // Entries trimmed away while pending come back as null: nothing left to redo.
        return reply[1].filter((e) => e !== null).map(toRecord);
      },
      async close() {
        consumers.delete(handle);
        own.disconnect();
        await Promise.resolve();
      },
    };
    consumers.add(handle);
    return handle;
  }

  async function trim(maxLen: number): Promise<number> {
    const removed = await redis.xtrim(keys.events, "MAXLEN", maxLen);
    const first = await redis.xrange(keys.events, "-", "+", "COUNT", 1);
    const streams = await redis.smembers(keys.streams);
    for (const s of streams) {
      if (first.length > 0) await redis.xtrim(streamKey(s), "MINID", first[0][0]);
      else await redis.xtrim(streamKey(s), "MAXLEN", 0);
    }
    return removed;
  }

  async function close(): Promise<void> {
    for (const c of [...consumers]) await c.close();
    await redis.quit();
  }

  return { append, read, lastSeq, saveSnapshot, loadSnapshot, subscribe, trim, close };
}

type RawEntry = [id: string, fields: string[]];

function toRecord([id, fields]: RawEntry): JournalRecord {
  const f: Record<string, string> = {};
  for (let i = 0; i < fields.length; i += 2) f[fields[i]] = fields[i + 1];
  return {
    seq: Number(id.slice(0, id.indexOf("-"))),
    eventId: f.e,
    stream: f.s,
    type: f.t,
    ts: Number(f.ts),
    payload: JSON.parse(f.p),
  };
}

function streamEntries(reply: unknown): JournalRecord[] {
  const streams = reply as [string, RawEntry[]][] | null;
  return streams?.[0]?.[1].filter((e) => e[1] !== null).map(toRecord) ?? [];
}

/** Fails fast with a clear error when Redis is unreachable, instead of ioredis's silent retrying. */
export async function connect(url: string): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 });
  let lastError: unknown;
  redis.on("error", (error) => lastError = error);
  try {
    await redis.connect();
    return redis;
  } catch (error) {
    redis.disconnect();
    throw new StorageError(`Cannot connect to Redis at ${redact(url)}: ${describe(lastError ?? error)}`, {
      cause: error,
    });
  }
}
