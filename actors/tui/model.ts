/**
 * What the TUI knows about the daemon: the /api/v1 documents it polls, as it reads them (every field optional: a
 * daemon of another version, or a failed call, leaves holes the screen shows as `--`).
 */
import type { StatusDocument } from "./status.ts";
import type { PositionDoc } from "../gateway/readers.ts";

/** A position as /api/v1/positions serves it (the gateway's own type). */
export type { PositionDoc };

export interface StrategyDoc {
  readonly id: string;
  readonly status: string;
  readonly reason?: string | null;
  readonly capital?: number | null;
  readonly strategy?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly symbols?: readonly string[];
  readonly equity?: number;
  readonly unrealized?: number;
  readonly commissions?: number;
  readonly positions?: readonly PositionDoc[];
}

export interface OrderDoc {
  readonly seq: number;
  readonly clientOrderId: string;
  readonly strategyId: string;
  readonly symbol: string;
  readonly side?: "buy" | "sell" | null;
  readonly type?: string | null;
  readonly qty?: number | null;
  readonly limitPrice?: number | null;
  readonly stopPrice?: number | null;
  readonly status: string;
  readonly filledQty: number;
  readonly createdAt: number;
}

export interface LimitUse {
  readonly limit: number;
  readonly used?: number | null;
  readonly usage?: number | null;
}

export interface Exposure {
  readonly equity?: number | null;
  readonly gross?: number;
  readonly net?: number;
  readonly leverage?: number | null;
  readonly drawdown?: number | null;
  readonly dailyPnl?: number | null;
  readonly limits?: Readonly<Record<string, LimitUse>>;
}

export interface MetricsDoc {
  readonly trading?: string;
  readonly account?: Exposure;
  readonly strategies?: Readonly<Record<string, Exposure>>;
}

export interface AlertDoc {
  readonly seq: number;
  readonly level: string;
  readonly message: string;
  readonly actor?: string;
  readonly ts: number;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export const LOG_LEVELS = ["debug", "info", "warn", "error"] as const;
export type LogLevel = typeof LOG_LEVELS[number];

/** One line of the daemon's log (GET /api/v1/logs). */
export interface LogLine {
  readonly seq: number;
  readonly ts: number;
  readonly level: string;
  readonly actor: string;
  readonly msg: string;
  readonly strategy?: string;
  readonly fields?: Readonly<Record<string, unknown>>;
}

export interface HealthDoc {
  readonly ok?: boolean;
  readonly reasons?: readonly string[];
  readonly feed?: { readonly state?: string };
}

/** The log as far as the TUI follows it. */
export type LogFeed =
  | { readonly kind: "waiting" }
  /** The daemon has no log endpoint (404): said once in the pane, polled again each second. */
  | { readonly kind: "unavailable"; readonly why: string }
  | { readonly kind: "lines"; readonly lines: readonly LogLine[] };

/** Everything the screen is drawn from. */
export interface Snapshot {
  readonly url: string;
  readonly status?: StatusDocument;
  readonly health?: HealthDoc;
  readonly strategies?: readonly StrategyDoc[];
  readonly orders?: readonly OrderDoc[];
  readonly metrics?: MetricsDoc;
  readonly alerts?: readonly AlertDoc[];
  readonly log: LogFeed;
  /** What failed in the last poll, one entry per call. */
  readonly errors: readonly string[];
  readonly fetchedAt?: number;
}

export const emptySnapshot = (url: string): Snapshot => ({ url, log: { kind: "waiting" }, errors: [] });

/** At most this many log lines are kept (the newest). */
export const LOG_KEEP = 500;

/** New lines merged into the kept ones: by sequence, newest first, no duplicates, the newest LOG_KEEP kept. */
export function mergeLog(kept: readonly LogLine[], fresh: readonly LogLine[], keep = LOG_KEEP): LogLine[] {
  const bySeq = new Map<number, LogLine>();
  for (const line of [...kept, ...fresh]) bySeq.set(line.seq, line);
  return [...bySeq.values()].sort((a, b) => b.seq - a.seq).slice(0, keep);
}
