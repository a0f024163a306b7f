/**
 * The daemon's health, told truthfully: 200 only when the tree runs (no fatal failure, no actor restarting), the
 * venue adapter has reconciled, the feed is fresh, trading is ACTIVE and no strategy is stopped or quarantined.
 * Otherwise 503 with every reason, each a short machine-readable string:
 *   "tree failed", "actor restarting: <path>", "venue not reconciled", "feed stale since <iso>[ (<symbol>)]",
 *   "halted", "reducing", "risk guardian not answering", "strategy quarantined: <id>", "strategy stopped: <id>",
 *   "portfolio not answering".
 * The reasons carry no account data; the detail (equity, venue, feed, strategies, actors) is for callers who may
 * read account data.
 */
import type { ActorStats } from "../runtime/mod.ts";
import { assessFeed, type FeedHealth, type FeedPolicy } from "./feed_health.ts";
import { failed, type Snapshot, type StrategyStatus } from "./snapshot.ts";

export interface HealthInputs {
  readonly snapshot: Snapshot;
  readonly fatal: string | undefined;
  readonly restarting: readonly string[];
  readonly feed: { readonly policy: FeedPolicy; readonly startedAt: number; readonly ended: boolean };
  /** The actor path of a strategy (to tell a quarantined strategy from one that is restarting). */
  readonly strategyPath: (id: string) => string;
  readonly now: number;
}

export interface HealthReport {
  readonly ok: boolean;
  readonly reasons: readonly string[];
  readonly detail: {
    readonly trading: string | undefined;
    /** The portfolio's total equity (marked to market), not the venue's starting balances. */
    readonly equity: number | undefined;
    readonly venue: { readonly name?: string; readonly phase?: string; readonly error?: string };
    readonly feed: FeedHealth;
    readonly strategies: Readonly<Record<string, StrategyStatus>>;
    readonly restarting: readonly string[];
    readonly fatal?: string;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

export function assessHealth(inputs: HealthInputs): HealthReport {
  const { snapshot, now } = inputs;
  const reasons: string[] = [];
  if (inputs.fatal !== undefined) reasons.push("tree failed");

  const risk = snapshot.risk;
  const strategies = failed(risk) ? {} : risk.strategies ?? {};
  const parked = new Set(
    Object.entries(strategies).filter(([, s]) => s.status !== "ACTIVE").map(([id]) => inputs.strategyPath(id)),
  );
  // A quarantined strategy's crash is reported as the quarantine, not as a restart that will never come.
  const restarting = inputs.restarting.filter((path) => !parked.has(path)).sort();
  for (const path of restarting) reasons.push(`actor restarting: ${path}`);

  const adapter = snapshot.adapter;
  if (failed(adapter) || adapter.phase !== "ready") reasons.push("venue not reconciled");

  const feed = assessFeed(inputs.feed.policy, {
    bars: failed(adapter) ? {} : adapter.bars ?? {},
    startedAt: inputs.feed.startedAt,
    ended: inputs.feed.ended,
  }, now);
  for (const s of feed.stale) reasons.push(`feed stale since ${iso(s.since)}${s.symbol ? ` (${s.symbol})` : ""}`);

  if (failed(risk)) reasons.push("risk guardian not answering");
  else if (risk.trading === "HALTED") reasons.push("halted");
  else if (risk.trading === "REDUCING") reasons.push("reducing");
  else if (risk.trading !== "ACTIVE") reasons.push(`trading ${String(risk.trading)}`);
  for (const [id, s] of Object.entries(strategies).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (s.status === "QUARANTINED") reasons.push(`strategy quarantined: ${id}`);
    else if (s.status === "STOPPED") reasons.push(`strategy stopped: ${id}`);
  }

  const portfolio = snapshot.portfolio;
  if (failed(portfolio)) reasons.push("portfolio not answering");

  return {
    ok: reasons.length === 0,
    reasons,
    detail: {
      trading: failed(risk) ? undefined : risk.trading,
      equity: failed(portfolio) ? undefined : portfolio.total?.equity,
      venue: failed(adapter) ? { error: adapter.error } : { name: adapter.venue, phase: adapter.phase },
      feed,
      strategies,
      restarting,
      ...(inputs.fatal !== undefined ? { fatal: inputs.fatal } : {}),
    },
  };
}

/** The /health document: reasons for everyone, the detail and the actors' counters only for readers. */
export function healthDocument(report: HealthReport, canRead: boolean, actors: () => ActorStats[]): unknown {
  const head = { ok: report.ok, status: report.ok ? "ok" : "unavailable", reasons: report.reasons };
  return canRead ? { ...head, ...report.detail, actors: actors() } : head;
}
