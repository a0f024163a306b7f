/**
 * The commands' own log: JSON lines on stderr at TRADEACTOR_LOG's level (default `warn`: a one-shot command's
 * stdout is its result, and stderr stays quiet unless something needs saying). The actors a command runs log
 * through the same sink at the same level.
 */
import {
  createLogger,
  levelFromEnv,
  type Logger,
  type LogLevel,
  type LogSink,
  stderrSink,
} from "../actors/runtime/mod.ts";

export interface CommandLog extends Logger {
  readonly level: LogLevel;
  readonly sink: LogSink;
}

const LEVELS = ["debug", "info", "warn", "error"];

export function commandLog(command: string): CommandLog {
  const level = levelFromEnv("warn");
  const sink = stderrSink(level);
  const log = createLogger(sink, command, Date.now, level);
  const asked = Deno.env.get("TRADEACTOR_LOG");
  if (asked !== undefined && asked !== "" && !LEVELS.includes(asked)) {
    log.warn(`TRADEACTOR_LOG="${asked}" is not a level (debug, info, warn, error); logging at ${level}`);
  }
  return { ...log, level, sink };
}
