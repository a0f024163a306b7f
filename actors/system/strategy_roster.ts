/**
 * The strategies a daemon runs: the config file's, plus the changes made while running (added, updated, removed),
 * which are journaled (stream "strategies") and folded back in at every start.
 *
 * A restarted daemon replays the journal's bars to fresh strategies (crash recovery). For that replay to send the
 * same orders again, every strategy must see the bars and parameters it saw the first time: one added while running
 * is fed only the bars after it joined, one updated gets its new parameters at the same bar, one stopped and
 * started again misses the same bars. Each change carries its position on the risk guardian's bar clock (`at`),
 * and `scheduleOf` turns them into the guardian's schedule (actors/risk_guardian/roster.ts). Stops, starts and
 * quarantines come from the guardian's own decisions (stream "risk", which carry `at` too).
 */
import type { ChildSpec } from "../runtime/mod.ts";
import type { Journal, JournalRecord, NewEvent } from "../../storage/journal/types.ts";
import type { ClockPos, Schedule, ScheduledChange } from "../risk_guardian/roster.ts";
import type { StrategyLimits } from "../risk_guardian/limits.ts";
import type { StrategyConfig } from "./config_strategies.ts";
import { displayName } from "./strategy_sources.ts";

export const ROSTER_STREAM = "strategies";

/** A strategy as it runs, with where it came from. */
export interface RosterEntry extends StrategyConfig {
  /** The name or path it was given (a built-in name, or a path under the strategies directory). */
  readonly strategy: string;
  readonly origin: "config" | "api";
  /** Where it joined on the bar clock (added while running); undefined for the config file's. */
  readonly joinedAt?: ClockPos;
  /**
   * The parameters it started with, when they changed since: a restarted daemon starts it with these and re-applies
   * each change at its bar, so the replay sees what the first run saw.
   */
  readonly startParams?: Readonly<Record<string, unknown>>;
}

/** Who asked and why: journaled with every change. */
export interface Why {
  readonly by: string;
  readonly reason: string;
}

export type RosterRecord =
  | { readonly op: "add"; readonly strategy: Omit<RosterEntry, "origin" | "joinedAt">; readonly at: ClockPos }
  | {
    readonly op: "update";
    readonly strategyId: string;
    readonly params?: Readonly<Record<string, unknown>>;
    readonly limits?: StrategyLimits;
    readonly at: ClockPos;
  }
  | { readonly op: "remove"; readonly strategyId: string; readonly flatten: boolean; readonly at: ClockPos };

export interface Roster {
  /** The strategies to run, config file's first, then the added ones in the order they joined. */
  readonly entries: RosterEntry[];
  /** The guardian's schedule: each strategy's changes of earlier runs, at their bars. */
  readonly schedule: Schedule;
  /** Ids that may never be used again: removed strategies, and any id the venue journal has orders of. */
  readonly retired: ReadonlySet<string>;
  /** What the daemon should say about the fold (config and journal disagreeing). */
  readonly warnings: string[];
  /** The last bar in the venue journal: where the replay of the earlier runs ends. */
  readonly lastBar?: { readonly symbol: string; readonly ts: number };
}

const STATUS = /^strategy:(ACTIVE|STOPPED|QUARANTINED)$/;

/** Folds the config file's strategies and the journal's changes into the set to run. */
export async function loadRoster(
  journal: Journal,
  configured: readonly StrategyConfig[],
  venue: string | readonly string[],
  strategiesDir?: string,
): Promise<Roster> {
  const records = [
    ...await journal.read({ stream: ROSTER_STREAM }),
    ...await journal.read({ stream: "risk" }),
  ].sort((a, b) => a.seq - b.seq);
  const entries = new Map<string, RosterEntry>(
    configured.map((s) => [s.id, { ...s, strategy: displayName(s.module, strategiesDir), origin: "config" }]),
  );
  const changes: Record<string, ScheduledChange[]> = {};
  const retired = new Set<string>();
  const warnings: string[] = [];
  for (const r of records) {
    if (r.stream === ROSTER_STREAM) foldRoster(r, entries, changes, retired, warnings);
    else foldStatus(r, entries, changes);
  }
  const venueNames = typeof venue === "string" ? [venue] : venue;
  for (const e of entries.values()) {
    if (e.origin === "api" && e.venue !== undefined && !venueNames.includes(e.venue)) {
      warnings.push(
        `strategy ${e.id} was added while running at venue ${e.venue}, which the config no longer has: it trades at ` +
          `${venueNames[0]} (DELETE it through the API, or configure ${e.venue} again)`,
      );
    }
  }
  // Several venues: ids of every venue's orders are retired, and the replay ends at the latest bar of any of them.
  let lastBar: { symbol: string; ts: number } | undefined;
  for (const name of venueNames) {
    const venueRecords = await journal.read({ stream: `venue:${name}` });
    for (const id of orderedIds(venueRecords)) if (!entries.has(id)) retired.add(id);
    const record = venueRecords.findLast((r) => r.type === "Bar");
    const bar = record ? (record.payload as { bar: { symbol: string; ts: number } }).bar : undefined;
    if (bar && (!lastBar || bar.ts > lastBar.ts || (bar.ts === lastBar.ts && bar.symbol > lastBar.symbol))) {
      lastBar = bar;
    }
  }
  const schedule: Record<string, ScheduledChange[]> = {};
  for (const [id, list] of Object.entries(changes)) {
    // A trailing stop is the guardian's restored status (disabledStrategies), not a scheduled pause.
    while (list.length > 0 && list[list.length - 1].kind === "pause") list.pop();
    if (list.length > 0) schedule[id] = list;
  }
  return {
    entries: [...entries.values()],
    schedule,
    retired,
    warnings,
    ...(lastBar ? { lastBar: { symbol: lastBar.symbol, ts: lastBar.ts } } : {}),
  };
}

function foldRoster(
  r: JournalRecord,
  entries: Map<string, RosterEntry>,
  changes: Record<string, ScheduledChange[]>,
  retired: Set<string>,
  warnings: string[],
): void {
  const rec = r.payload as RosterRecord;
  switch (rec.op) {
    case "add": {
      const s = rec.strategy;
      const configured = entries.get(s.id);
      if (configured?.origin === "config") {
        warnings.push(
          `strategy ${s.id} was added while running and is also in the config file: the added one runs (remove it ` +
            `from the file, or DELETE it through the API)`,
        );
      }
      entries.set(s.id, { ...s, origin: "api", joinedAt: rec.at });
      changes[s.id] = [{ kind: "feed", after: rec.at }];
      return;
    }
    case "update": {
      const entry = entries.get(rec.strategyId);
      if (!entry) return;
      entries.set(rec.strategyId, {
        ...entry,
        ...(rec.params ? { params: rec.params, startParams: entry.startParams ?? entry.params } : {}),
        ...(rec.limits ? { limits: rec.limits } : {}),
      });
      if (rec.params) (changes[rec.strategyId] ??= []).push({ kind: "reconfigure", after: rec.at, params: rec.params });
      return;
    }
    case "remove":
      if (entries.get(rec.strategyId)?.origin === "config") {
        warnings.push(`strategy ${rec.strategyId} of the config file was removed while running: it stays removed`);
      }
      entries.delete(rec.strategyId);
      delete changes[rec.strategyId];
      retired.add(rec.strategyId);
      return;
  }
}

/** Stops, starts and quarantines as the guardian journaled them, with their bar clock position. */
function foldStatus(r: JournalRecord, entries: Map<string, RosterEntry>, changes: Record<string, ScheduledChange[]>) {
  const m = STATUS.exec(r.type);
  if (!m) return;
  const payload = r.payload as { at?: ClockPos; strategy?: { strategyId?: string } };
  const id = payload.strategy?.strategyId;
  // Decisions journaled before positions were (at undefined) cannot be placed: the old behaviour holds for them.
  if (id === undefined || payload.at === undefined || !entries.has(id)) return;
  (changes[id] ??= []).push({ kind: m[1] === "ACTIVE" ? "feed" : "pause", after: payload.at });
}

/** Strategy ids that have orders in the venue journal: their client order ids are taken. */
function orderedIds(records: readonly JournalRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const r of records) {
    const p = r.payload as {
      strategyId?: unknown;
      intent?: { command?: { order?: { strategyId?: unknown } } };
    };
    const id = p.intent?.command?.order?.strategyId ?? p.strategyId;
    if (typeof id === "string") ids.add(id);
  }
  return ids;
}

/** One journal record of a change, durable before the caller answers. */
export function rosterEvent(record: RosterRecord, why: Why, ts: number, n: number): NewEvent {
  const id = record.op === "add" ? record.strategy.id : record.strategyId;
  return {
    eventId: `strategies:${id}:${record.op}:${ts}:${n}`,
    stream: ROSTER_STREAM,
    type: `strategy:${record.op}`,
    ts,
    payload: { ...record, by: why.by, why: why.reason },
  };
}

/** The strategies as the tree starts them: each with the parameters it started with (see `startParams`). */
export function startingStrategies(roster: Roster): StrategyConfig[] {
  return roster.entries.map(({ startParams, ...e }) => (startParams ? { ...e, params: startParams } : e));
}

/**
 * The roster in the tree spec (data until it starts): the portfolio counts the capital of a strategy added while
 * running from the bar it joined at, the risk guardian gets the schedule of earlier changes.
 */
export function wireRoster(tree: { readonly children: readonly ChildSpec[] }, roster: Roster): void {
  const joined = roster.entries.filter((e) => e.joinedAt !== undefined);
  for (const child of tree.children) {
    if (child.kind !== "actor") continue;
    const config = child.config as Record<string, unknown>;
    if (child.id === "portfolio" && joined.length > 0) {
      const capital = { ...(config.capital as Record<string, number>) };
      for (const e of joined) delete capital[e.id];
      const joining = Object.fromEntries(joined.map((e) => [e.id, { capital: e.capital, after: e.joinedAt }]));
      Object.assign(child, { config: { ...config, capital, joining } });
    }
    if (child.id === "risk") {
      Object.assign(child, {
        config: {
          ...config,
          ...(Object.keys(roster.schedule).length > 0 ? { schedule: roster.schedule } : {}),
          ...(roster.lastBar ? { replayUntil: roster.lastBar } : {}),
        },
      });
    }
  }
}
