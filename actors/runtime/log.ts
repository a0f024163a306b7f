/** Structured logs: one JSON object per line, with the actor path and correlation id. */

export type LogLevel = "debug" | "info" | "warn" | "error";
const RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LogRecord {
  readonly ts: number;
  readonly level: LogLevel;
  readonly actor: string;
  readonly msg: string;
  readonly corr?: string;
  readonly [field: string]: unknown;
}

export type LogSink = (record: LogRecord) => void;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * Writes JSON lines to stderr, so stdout stays free for reports and tables. Records below `minLevel` (by default
 * TRADEACTOR_LOG's) are dropped, so whoever logs straight to the sink honours TRADEACTOR_LOG too.
 */
export function stderrSink(minLevel: LogLevel = levelFromEnv()): LogSink {
  const encoder = new TextEncoder();
  const min = RANK[minLevel];
  return (record) => {
    if ((RANK[record.level] ?? RANK.error) < min) return;
    Deno.stderr.writeSync(encoder.encode(JSON.stringify(record) + "\n"));
  };
}

/** Collects records in memory (tests, the TUI's log pane). */
export function memorySink(into: LogRecord[]): LogSink {
  return (record) => void into.push(record);
}

export function levelFromEnv(fallback: LogLevel = "info"): LogLevel {
  let value: string | undefined;
  try {
    value = Deno.env.get("TRADEACTOR_LOG");
  } catch {
    value = undefined; // no env permission (a sandboxed worker)
  }
  return value === "debug" || value === "info" || value === "warn" || value === "error" ? value : fallback;
}

export function createLogger(
  sink: LogSink,
  actor: string,
  now: () => number,
  minLevel: LogLevel,
  correlation: () => string | undefined = () => undefined,
): Logger {
  const min = RANK[minLevel];
  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < min) return;
    const corr = correlation();
    sink({ ts: now(), level, actor, msg, ...(corr === undefined ? {} : { corr }), ...fields });
  };
  return {
    debug: (msg, fields) => write("debug", msg, fields),
    info: (msg, fields) => write("info", msg, fields),
    warn: (msg, fields) => write("warn", msg, fields),
    error: (msg, fields) => write("error", msg, fields),
  };
}
