/**
 * The daemon's recent log lines, for GET /api/v1/logs and /ws/logs: a ring of the newest `capacity` records, each
 * with a seq (the page cursor) and the strategy it concerns. Logs are not journaled: a restart starts an empty tail.
 * Records are clipped on the way in (a message of 2,000 characters, fields of 4,000 as JSON) so one huge error
 * cannot hold megabytes for as long as it stays in the ring.
 */
import type { LogLevel, LogRecord, LogSink } from "../runtime/mod.ts";

export interface LogView {
  readonly seq: number;
  readonly ts: number;
  readonly level: LogLevel;
  readonly actor: string;
  readonly msg: string;
  readonly strategy?: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface LogTail {
  /** Takes a record (as a sink does). */
  readonly sink: LogSink;
  /** The records kept, oldest first. */
  records(): readonly LogView[];
  /** Called with every record after it is kept; returns the unsubscribe. */
  subscribe(listener: (view: LogView) => void): () => void;
}

export const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };
export const LOG_LEVELS = Object.keys(LEVEL_RANK) as LogLevel[];

const MAX_MSG = 2_000;
const MAX_FIELDS = 4_000;
const BASE = new Set(["ts", "level", "actor", "msg"]);

export interface LogTailOptions {
  readonly capacity?: number;
  /** The strategy an actor path belongs to (the daemon knows its tree's layout; the gateway does not). */
  readonly strategyOf?: (actor: string) => string | undefined;
}

function clippedFields(record: LogRecord): Record<string, unknown> | undefined {
  const fields: Record<string, unknown> = {};
  let any = false;
  for (const [key, value] of Object.entries(record)) {
    if (BASE.has(key)) continue;
    fields[key] = value;
    any = true;
  }
  if (!any) return undefined;
  let text: string;
  try {
    text = JSON.stringify(fields);
  } catch {
    return { unserialisable: true };
  }
  return text.length <= MAX_FIELDS ? JSON.parse(text) : { clipped: text.slice(0, MAX_FIELDS) };
}

export function createLogTail(options: LogTailOptions = {}): LogTail {
  const capacity = Math.max(1, options.capacity ?? 5_000);
  const ring: LogView[] = [];
  let start = 0; // index of the oldest record once the ring is full
  let seq = 0;
  const listeners = new Set<(view: LogView) => void>();

  const keep = (view: LogView) => {
    if (ring.length < capacity) ring.push(view);
    else {
      ring[start] = view;
      start = (start + 1) % capacity;
    }
  };

  const sink: LogSink = (record) => {
    const level: LogLevel = record.level in LEVEL_RANK ? record.level : "error";
    const named = typeof record.strategyId === "string" ? record.strategyId : undefined;
    const strategy = named ?? options.strategyOf?.(String(record.actor));
    const fields = clippedFields(record);
    const msg = String(record.msg ?? "");
    const view: LogView = {
      seq: ++seq,
      ts: Number.isFinite(record.ts) ? record.ts : Date.now(),
      level,
      actor: String(record.actor ?? ""),
      msg: msg.length > MAX_MSG ? `${msg.slice(0, MAX_MSG)}…` : msg,
      ...(strategy === undefined ? {} : { strategy }),
      ...(fields === undefined ? {} : { fields }),
    };
    keep(view);
    for (const listener of listeners) {
      try {
        listener(view);
      } catch { /* a listener's failure must not lose the log line for the others */ }
    }
  };

  return {
    sink,
    records: () => (start === 0 ? ring.slice() : [...ring.slice(start), ...ring.slice(0, start)]),
    subscribe(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/** Both sinks get every record (the daemon's stderr and the tail). */
export const teeSink = (...sinks: LogSink[]): LogSink => (record) => {
  for (const sink of sinks) sink(record);
};
