/**
 * The daemon's health, told truthfully: 200 only when the tree runs (no fatal failure, no actor restarting), every
 * venue's adapter has reconciled, every venue's feed is fresh, trading is ACTIVE and no strategy is stopped or
 * quarantined. Otherwise 503 with every reason, each a short machine-readable string:
 *   "tree failed", "actor restarting: <path>", "venue not reconciled", "feed stale since <iso>[ (<symbol>)]",
 *   "halted", "reducing", "risk guardian not answering", "strategy quarantined: <id>", "strategy stopped: <id>",
 *   "portfolio not answering".
 * With several venues the venue's reasons name it: "venue <name>: not reconciled",
 * "venue <name>: feed stale since <iso>[ (<symbol>)]".
 * The reasons carry no account data; the detail (equity, venue, feed, strategies, actors) is for callers who may
 * read account data.
 */
import type { ActorStats } from "../runtime/mod.ts";
import { assessFeed, type FeedHealth, type FeedPolicy } from "./feed_health.ts";
import { type AdapterView, type AskFailure, failed, type Snapshot, type StrategyStatus } from "./snapshot.ts";

/** A venue's feed as health judges it: its freshness policy, when its adapter (re)started, whether it ended. */
export interface FeedInput {
  readonly policy: FeedPolicy;
  readonly startedAt: number;
  readonly ended: boolean;
}

export interface HealthInputs {
  readonly snapshot: Snapshot;
  readonly fatal: string | undefined;
  readonly restarting: readonly string[];
  /** The default venue's feed. */
  readonly feed: FeedInput;
  /**
   * Several venues: each venue's feed by name, the default venue first (null: the venue has no feed), judged with
   * its adapter from `snapshot.venues`; the default venue's entry replaces `feed`.
   */
  readonly venues?: Readonly<Record<string, FeedInput | null>>;
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
    /** Several venues: each one's adapter phase (or why it did not answer) and feed. */
    readonly venues?: Readonly<Record<string, VenueHealth>>;
    readonly strategies: Readonly<Record<string, StrategyStatus>>;
    readonly restarting: readonly string[];
    readonly fatal?: string;
  };
}

export interface VenueHealth {
  readonly phase?: string;
  readonly error?: string;
  readonly feed?: FeedHealth;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** One venue's adapter and feed; its reasons get `prefix` ("" with one venue, "venue NAME: " with several). */
function assessVenue(
  adapter: AdapterView | AskFailure | undefined,
  input: FeedInput | null,
  now: number,
  prefix: string,
  reasons: string[],
): VenueHealth {
  const view = adapter ?? { error: "not asked" };
  if (failed(view) || view.phase !== "ready") reasons.push(prefix ? `${prefix}not reconciled` : "venue not reconciled");
  const feed = input === null ? undefined : assessFeed(input.policy, {
    bars: failed(view) ? {} : view.bars ?? {},
    startedAt: input.startedAt,
    ended: input.ended,
  }, now);
  for (const s of feed?.stale ?? []) {
    reasons.push(`${prefix}feed stale since ${iso(s.since)}${s.symbol ? ` (${s.symbol})` : ""}`);
  }
  return { ...(failed(view) ? { error: view.error } : { phase: view.phase }), ...(feed ? { feed } : {}) };
}

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
  let feed: FeedHealth;
  let venues: Record<string, VenueHealth> | undefined;
  if (inputs.venues === undefined) feed = assessVenue(adapter, inputs.feed, now, "", reasons).feed!;
  else {
    venues = {};
    for (const [name, input] of Object.entries(inputs.venues)) {
      venues[name] = assessVenue(snapshot.venues?.[name], input, now, `venue ${name}: `, reasons);
    }
    // `feed` stays the default venue's (the first), as with one venue.
    feed = Object.values(venues)[0]?.feed ?? { state: "ended", stale: [] };
  }

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
      ...(venues ? { venues } : {}),
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
