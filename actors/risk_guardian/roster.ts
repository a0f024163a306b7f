/**
 * Strategies that join, leave or change while the guardian runs (operator calls through the daemon), and the bar
 * clock they are positioned on.
 *
 * Every change takes effect at a bar boundary of the guardian's bar clock: an added strategy gets the bars after the
 * last one forwarded when it was added, a reconfigured one gets its new parameters just before the next bar it is
 * fed. The position (`at`, the last bar forwarded, null before the first) is journaled with the change. A restarted
 * daemon replays the journal's bars to fresh strategies; it passes the changes of earlier runs back here as a
 * schedule, and the guardian re-applies each at the same position, so every strategy sees exactly the bars and
 * parameters it saw the first time, sends the same orders again, and the adapter recognises them all as sent.
 *
 * Plain data in the guardian's state; functions over it, like strategy_status.ts.
 */
import type { BarPos } from "./strategy_status.ts";

/** The guardian's bar clock: the last bar forwarded; null before the first. */
export type ClockPos = BarPos | null;

/** Something that happened to a strategy in an earlier run, at a position of the bar clock. */
export type ScheduledChange =
  /** Fed again (added while running, or enabled) from the first bar after `after`. */
  | { readonly kind: "feed"; readonly after: ClockPos }
  /** Not fed (stopped, quarantined) from the first bar after `after`. */
  | { readonly kind: "pause"; readonly after: ClockPos }
  /** New parameters, just before the first bar after `after` it is fed. */
  | { readonly kind: "reconfigure"; readonly after: ClockPos; readonly params: Readonly<Record<string, unknown>> };

/** Guardian config `schedule`: strategy id → its changes of earlier runs, in the order they happened. */
export type Schedule = Readonly<Record<string, readonly ScheduledChange[]>>;

export interface Roster {
  at: ClockPos;
  /** Changes still to apply, per strategy, oldest first (replayed ones, and live reconfigurations). */
  readonly pending: Record<string, ScheduledChange[]>;
  /** Strategies the schedule holds back from bars (not fed yet, or paused in an earlier run at this point). */
  readonly paused: Record<string, true>;
  /** Entries in `pending` + `paused`: the bar path tests a number, not a dictionary. */
  watched: number;
  /** Strategies removed while running: kept stopped until flat, no longer reported. */
  removed?: Record<string, true>;
}

/** Operator → guardian (through the daemon): a strategy joins. Replies StrategyAdded with its position. */
export type AddStrategy = {
  readonly type: "AddStrategy";
  readonly strategyId: string;
  /** Its supervisor's actor path. */
  readonly path: string;
  readonly symbols: readonly string[];
  readonly capital: number;
  /** The venue it trades at (a key of the guardian's exchanges); absent: the default venue. */
  readonly venue?: string;
  readonly limits?: Readonly<Record<string, number>>;
  readonly reason: string;
  readonly by?: string;
};

/** A strategy leaves: stopped like DisableStrategy (orders cancelled, flattened if asked), then unsubscribed. */
export type RemoveStrategy = {
  readonly type: "RemoveStrategy";
  readonly strategyId: string;
  readonly flatten: boolean;
  readonly reason: string;
  readonly by?: string;
};

/** New parameters for a strategy, from the next bar it is fed (its supervisor restarts the strategy with them). */
export type ReconfigureStrategy = {
  readonly type: "ReconfigureStrategy";
  readonly strategyId: string;
  readonly params: Readonly<Record<string, unknown>>;
  readonly reason: string;
  readonly by?: string;
};

export type RosterMessage = AddStrategy | RemoveStrategy | ReconfigureStrategy;

export type RosterReply =
  | { readonly type: "RosterChanged"; readonly strategyId: string; readonly change: string; readonly at: ClockPos }
  | { readonly type: "RosterRefused"; readonly strategyId: string; readonly error: string };

const before = (a: ClockPos, b: ClockPos) =>
  a === null ? b !== null : b !== null && (a.ts < b.ts || (a.ts === b.ts && a.symbol < b.symbol));

/** Is `bar` after `pos` on the bar clock (bars ordered by time, then symbol)? */
export const isAfter = (bar: BarPos, pos: ClockPos) => before(pos, bar);

export function createRoster(schedule: Schedule = {}): Roster {
  const roster: Roster = { at: null, pending: {}, paused: {}, watched: 0 };
  for (const [id, changes] of Object.entries(schedule)) {
    if (changes.length === 0) continue;
    // Stable by position: a change journaled later at an earlier position (a restored status) goes first.
    const sorted = changes.map((c, i) => ({ c, i })).sort((x, y) =>
      before(x.c.after, y.c.after) ? -1 : before(y.c.after, x.c.after) ? 1 : x.i - y.i
    ).map(({ c }) => c);
    roster.pending[id] = sorted;
    roster.watched++;
    // A strategy whose first change is "feed" was not there (or not fed) before it.
    if (sorted[0].kind === "feed") {
      roster.paused[id] = true;
      roster.watched++;
    }
  }
  return roster;
}

/** Checks a schedule from the config (the daemon builds it from the journal); returns the problem, if any. */
export function checkSchedule(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "must be an object by strategy id";
  const pos = (p: unknown) =>
    p === null || (typeof p === "object" && typeof (p as BarPos).symbol === "string" &&
      typeof (p as BarPos).ts === "number");
  for (const [id, changes] of Object.entries(raw)) {
    if (!Array.isArray(changes)) return `${id}: must be a list of changes`;
    for (const [i, c] of changes.entries()) {
      if (!pos(c?.after)) return `${id}[${i}].after must be null or { symbol, ts }`;
      if (c.kind === "reconfigure" && (typeof c.params !== "object" || c.params === null)) {
        return `${id}[${i}].params must be an object`;
      }
      if (c.kind !== "feed" && c.kind !== "pause" && c.kind !== "reconfigure") {
        return `${id}[${i}].kind must be feed, pause or reconfigure`;
      }
    }
  }
  return undefined;
}

/** The bar clock moves: call once per bar, before it is forwarded. */
export function tick(roster: Roster, bar: BarPos): void {
  roster.at = { symbol: bar.symbol, ts: bar.ts };
}

/**
 * Before `bar` goes to a strategy: applies its changes that are due, and says whether it is fed. New parameters go
 * out through `send` just before a bar it is fed (the last due ones: a strategy restarted twice with new parameters
 * ends as if restarted once with the last); while it is paused they wait. Only called when `watched` > 0.
 */
export function admit(
  roster: Roster,
  strategyId: string,
  bar: BarPos,
  send: (params: Readonly<Record<string, unknown>>) => void,
): boolean {
  const pending = roster.pending[strategyId];
  if (pending === undefined) return !roster.paused[strategyId];
  let params: Readonly<Record<string, unknown>> | undefined;
  while (pending.length > 0 && isAfter(bar, pending[0].after)) {
    const change = pending.shift()!;
    switch (change.kind) {
      case "feed":
        if (roster.paused[strategyId]) {
          delete roster.paused[strategyId];
          roster.watched--;
        }
        break;
      case "pause":
        if (!roster.paused[strategyId]) {
          roster.paused[strategyId] = true;
          roster.watched++;
        }
        break;
      case "reconfigure":
        params = change.params;
        break;
    }
  }
  const fed = !roster.paused[strategyId];
  if (params !== undefined) {
    if (fed) send(params);
    else pending.unshift({ kind: "reconfigure", after: null, params }); // when it is fed again, as the first time
  }
  if (pending.length === 0) {
    delete roster.pending[strategyId];
    roster.watched--;
  }
  return fed;
}

/**
 * A strategy joins while running: fed from the first bar after the current position, exactly as a replay of this run
 * will feed it (`feed` after `at`). Being wired in at once is not the same: with several venues, bars of one time come
 * from each venue's adapter in no set order (and one venue's replay may run ahead of another's), so a bar at or before
 * the position could still arrive, and a replay would not feed it.
 */
export function join(roster: Roster, strategyId: string): void {
  if (roster.pending[strategyId] === undefined) roster.watched++;
  roster.pending[strategyId] = [{ kind: "feed", after: roster.at }];
  if (!roster.paused[strategyId]) {
    roster.paused[strategyId] = true;
    roster.watched++;
  }
}

/** A live reconfiguration: queued at the current position, sent before the next bar the strategy is fed. */
export function reconfigure(roster: Roster, strategyId: string, params: Readonly<Record<string, unknown>>): ClockPos {
  const change: ScheduledChange = { kind: "reconfigure", after: roster.at, params };
  const pending = roster.pending[strategyId];
  if (pending) pending.push(change);
  else {
    roster.pending[strategyId] = [change];
    roster.watched++;
  }
  return roster.at;
}

/** What the guardian reports, without the strategies removed while running. */
export function reported<T>(roster: Roster, statuses: Record<string, T>): Record<string, T> {
  if (!roster.removed) return statuses;
  for (const id of Object.keys(roster.removed)) delete statuses[id];
  return statuses;
}

/** A strategy leaves: nothing of it stays scheduled, and it is no longer reported. */
export function forget(roster: Roster, strategyId: string): void {
  (roster.removed ??= {})[strategyId] = true;
  if (roster.pending[strategyId]) {
    delete roster.pending[strategyId];
    roster.watched--;
  }
  if (roster.paused[strategyId]) {
    delete roster.paused[strategyId];
    roster.watched--;
  }
}

/** The parts of the guardian's config a joining or leaving strategy changes. */
export interface Wiring {
  readonly owners?: Readonly<Record<string, string>>;
  readonly barSubscribers?: Readonly<Record<string, readonly string[]>>;
  readonly strategyCapital?: Readonly<Record<string, number>>;
  readonly strategyVenues?: Readonly<Record<string, string>>;
}

/** The config with a strategy wired in: its owner path, its symbols' bars, its capital, its venue. */
export function wiredIn<C extends Wiring>(config: C, msg: AddStrategy): C {
  const barSubscribers: Record<string, readonly string[]> = { ...config.barSubscribers };
  for (const symbol of msg.symbols) barSubscribers[symbol] = [...(barSubscribers[symbol] ?? []), msg.path];
  return {
    ...config,
    owners: { ...config.owners, [msg.strategyId]: msg.path },
    barSubscribers,
    strategyCapital: { ...config.strategyCapital, [msg.strategyId]: msg.capital },
    ...(msg.venue !== undefined ? { strategyVenues: { ...config.strategyVenues, [msg.strategyId]: msg.venue } } : {}),
  };
}

/** The config without a strategy's owner path and bars (its capital stays: what its loss still counts from). */
export function wiredOut<C extends Wiring>(config: C, strategyId: string, path: string): C {
  const { [strategyId]: _, ...owners } = config.owners ?? {};
  const barSubscribers = Object.fromEntries(
    Object.entries(config.barSubscribers ?? {}).map(([symbol, paths]) => [symbol, paths.filter((p) => p !== path)]),
  );
  return { ...config, owners, barSubscribers };
}
