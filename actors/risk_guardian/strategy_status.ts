/**
 * Per-strategy trading status in the risk guardian: ACTIVE, STOPPED (an operator, a loss stop) or QUARANTINED (its
 * actor failed too often, or hung). A disabled strategy may only reduce: its other orders are denied, its open
 * orders are cancelled at the venue, its positions are flattened when asked (reduce-only market orders, sent again
 * on later bars until flat, a few times at most), and the bar clock neither feeds it nor waits for it.
 *
 * A restarted daemon gets the statuses of the last run from the journal (`disabledStrategies` in the guardian's
 * config). Such a strategy is fed the journal's replay up to the last bar it handled (so it re-sends the orders the
 * venue already has, and its state is rebuilt) and is disabled again there: it never sees the bar that hung it.
 *
 * The rules are functions over plain data (part of the guardian's snapshot); what they do goes through `StatusIO`.
 */
import { assertNever } from "../runtime/mod.ts";
import type { OrderRequest } from "../protocol/mod.ts";

export type StrategyStatus = "ACTIVE" | "STOPPED" | "QUARANTINED";
export type DisabledStatus = Exclude<StrategyStatus, "ACTIVE">;

/** Operator, loss stop or daemon → guardian: stop this strategy's trading (the same message for every cause). */
export type DisableStrategy = {
  readonly type: "DisableStrategy";
  readonly strategyId: string;
  readonly status: DisabledStatus;
  readonly reason: string;
  /** Close its positions with reduce-only market orders (its open orders are cancelled in any case). */
  readonly flatten: boolean;
};

export type EnableStrategy = { readonly type: "EnableStrategy"; readonly strategyId: string; readonly reason: string };

/**
 * Daemon → guardian: what the runtime did to a strategy's actor. "crashed": it restarts (not waited for meanwhile);
 * "restarted": it is back; "quarantined": the runtime left it down for good (over its restart intensity, or hung),
 * so the guardian disables it as QUARANTINED with its configured quarantine policy.
 */
export type StrategyLifecycle = {
  readonly type: "StrategyLifecycle";
  readonly strategyId: string;
  readonly phase: "crashed" | "restarted" | "quarantined";
  readonly detail: string;
};

export type StrategyMessage = DisableStrategy | EnableStrategy | StrategyLifecycle;

/** What happens to a quarantined strategy's positions (guardian config `quarantinePolicy`, default flatten). */
export type QuarantinePolicy = "flatten" | "keep";

export interface BarPos {
  readonly symbol: string;
  readonly ts: number;
}

/** A disabled strategy, as journaled (`payload.strategy` of a `strategy:<STATUS>` decision) and restored. */
export interface DisabledRecord {
  readonly status: DisabledStatus;
  readonly reason: string;
  readonly since: number;
  readonly flatten: boolean;
  /** The last bar it handled before it was disabled: where a restarted daemon stops feeding it. */
  readonly lastBar?: BarPos;
}

interface Disabled extends DisabledRecord {
  /** Flatten orders sent while it was not flat; bounded by MAX_FLATTEN_ORDERS. */
  flattenOrders: number;
}

/** Plain data in the guardian's state. */
export interface StrategyBook {
  readonly disabled: Record<string, Disabled>;
  /** Disabled by an earlier run: fed the replay up to `lastBar`, then disabled again. */
  readonly resuming: Record<string, Disabled>;
  /** Actors the runtime reported down: "restarting" (not waited for) or "quarantined" (left down, not fed). */
  readonly down: Record<string, "restarting" | "quarantined">;
  /** The last bar each strategy acknowledged. */
  readonly lastBar: Record<string, BarPos>;
  /** Entries in `disabled` + `resuming`: the order and bar paths test a number, not a dictionary. */
  watched: number;
}

export interface StrategyReport {
  readonly status: StrategyStatus;
  readonly reason?: string;
  readonly since?: number;
  readonly flatten?: boolean;
  readonly lastBar?: BarPos;
  /** The runtime's view of its actor, when not running normally. */
  readonly actor?: "restarting" | "quarantined";
}

/** What the rules need from the guardian. */
export interface StatusIO {
  readonly now: number;
  /** Strategies the guardian knows (configured owners and senders of orders). */
  known(strategyId: string): boolean;
  /** Its non-zero positions: symbol → signed quantity. */
  positions(strategyId: string): [string, number][];
  /** Is a flatten order of this strategy and symbol still open? */
  flattening(strategyId: string, symbol: string): boolean;
  journal(decision: string, detail: string, strategy: Record<string, unknown>): void;
  alert(level: "warn" | "error", message: string, fields: Record<string, unknown>): void;
  cancelAll(strategyId: string): void;
  /** Sends a reduce-only market order closing `qty` (signed position) of `symbol`. */
  flatten(strategyId: string, symbol: string, qty: number): void;
  /** Stops waiting for its bar acknowledgements. */
  release(strategyId: string): void;
  /**
   * Is this bar one the journal had when the daemon started (replayed to fresh strategies)? A strategy disabled again
   * there sends no flatten order: the journal holds the ones the earlier run sent, and their fills follow.
   */
  inReplay(bar: BarPos): boolean;
}

const MAX_FLATTEN_ORDERS = 5;

export function createBook(restored: Readonly<Record<string, DisabledRecord>> = {}): StrategyBook {
  const book: StrategyBook = { disabled: {}, resuming: {}, down: {}, lastBar: {}, watched: 0 };
  for (const [id, record] of Object.entries(restored)) {
    (record.lastBar ? book.resuming : book.disabled)[id] = { ...record, flattenOrders: 0 };
    book.watched++;
  }
  return book;
}

export function parseQuarantinePolicy(raw: unknown): QuarantinePolicy | string {
  if (raw === undefined) return "flatten";
  if (raw === "flatten" || raw === "keep") return raw;
  return `must be "flatten" or "keep", got ${JSON.stringify(raw)}`;
}

/** Checks restored statuses (from the journal, through the daemon); returns the problem, if any. */
export function checkRestored(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return "must be an object by strategy id";
  for (const [id, r] of Object.entries(raw as Record<string, Partial<DisabledRecord>>)) {
    if (r?.status !== "STOPPED" && r?.status !== "QUARANTINED") return `${id}.status must be STOPPED or QUARANTINED`;
    if (typeof r.reason !== "string") return `${id}.reason must be a string`;
    if (typeof r.since !== "number" || typeof r.flatten !== "boolean") return `${id} needs since and flatten`;
    if (r.lastBar !== undefined && (typeof r.lastBar.symbol !== "string" || typeof r.lastBar.ts !== "number")) {
      return `${id}.lastBar must be { symbol, ts }`;
    }
  }
  return undefined;
}

/** Why a new order of a disabled strategy is denied (reduce-only orders pass on to the usual checks). */
export function denial(book: StrategyBook, order: OrderRequest): string | undefined {
  if (book.watched === 0 || order.reduceOnly === true) return undefined;
  const d = book.disabled[order.strategyId];
  return d ? `strategy ${order.strategyId} is ${d.status} (${d.reason}): only reduce-only orders` : undefined;
}

/** Does the strategy get bars? */
export function isFed(book: StrategyBook, strategyId: string): boolean {
  return book.down[strategyId] !== "quarantined" && (book.watched === 0 || book.disabled[strategyId] === undefined);
}

/** Does the bar clock wait for its acknowledgement? */
export function isAwaited(book: StrategyBook, strategyId: string): boolean {
  return book.down[strategyId] === undefined && (book.watched === 0 || book.disabled[strategyId] === undefined);
}

const after = (bar: BarPos, pos: BarPos) => bar.ts > pos.ts || (bar.ts === pos.ts && bar.symbol > pos.symbol);

/**
 * Before a bar goes out: a resuming strategy that would get a bar past its last one is disabled now, and disabled
 * strategies that are not flat yet get their flatten orders again.
 */
export function beforeBar(book: StrategyBook, io: StatusIO, bar: BarPos): void {
  if (book.watched === 0) return;
  for (const [id, d] of Object.entries(book.resuming)) {
    if (after(bar, d.lastBar!)) restore(book, io, id, d, bar);
  }
  if (io.inReplay(bar)) return;
  for (const [id, d] of Object.entries(book.disabled)) if (d.flatten) flattenRest(io, id, d);
}

/**
 * After a strategy acknowledged a bar: remembers it. True when the strategy is resuming and has reached its last
 * bar: then call `disableAgain`.
 */
export function barHandled(book: StrategyBook, strategyId: string, bar: BarPos): boolean {
  book.lastBar[strategyId] = { symbol: bar.symbol, ts: bar.ts };
  if (book.watched === 0) return false;
  const d = book.resuming[strategyId];
  return d !== undefined && !after(d.lastBar!, bar);
}

/** A resuming strategy reached the last bar it handled in the run that disabled it: disable it again. */
export function disableAgain(book: StrategyBook, io: StatusIO, strategyId: string): void {
  const d = book.resuming[strategyId];
  if (d) restore(book, io, strategyId, d, book.lastBar[strategyId] ?? d.lastBar!);
}

function restore(book: StrategyBook, io: StatusIO, strategyId: string, d: Disabled, bar: BarPos): void {
  delete book.resuming[strategyId];
  book.watched--;
  const { flattenOrders: _, ...record } = d;
  apply(book, io, strategyId, record, " (restored after a restart)", !io.inReplay(bar));
}

export function onStrategyMessage(book: StrategyBook, io: StatusIO, msg: StrategyMessage, policy: QuarantinePolicy) {
  const id = msg.strategyId;
  switch (msg.type) {
    case "DisableStrategy":
      if (!io.known(id)) {
        io.journal("strategy:disable-refused", `${id}: unknown strategy (${msg.reason})`, { strategyId: id });
        io.alert("warn", "disable refused: unknown strategy", { strategyId: id, reason: msg.reason });
        return;
      }
      disable(book, io, id, msg.status, msg.reason, msg.flatten);
      return;
    case "EnableStrategy":
      enable(book, io, id, msg.reason);
      return;
    case "StrategyLifecycle":
      switch (msg.phase) {
        case "crashed":
          if (book.down[id] === "quarantined") return;
          book.down[id] = "restarting";
          io.release(id);
          io.journal("strategy:crashed", `${id}: ${msg.detail}`, { strategyId: id });
          io.alert("warn", "strategy crashed; restarting it", { strategyId: id, error: msg.detail });
          return;
        case "restarted":
          if (book.down[id] !== "restarting") return;
          delete book.down[id];
          io.journal("strategy:restarted", id, { strategyId: id });
          return;
        case "quarantined":
          book.down[id] = "quarantined";
          disable(book, io, id, "QUARANTINED", msg.detail, policy === "flatten");
          return;
        default:
          return assertNever(msg.phase, "strategy lifecycle phase");
      }
    default:
      return assertNever(msg, "strategy message");
  }
}

function disable(book: StrategyBook, io: StatusIO, id: string, status: DisabledStatus, reason: string, flat: boolean) {
  if (book.resuming[id]) {
    delete book.resuming[id];
    book.watched--;
  }
  const lastBar = book.lastBar[id];
  apply(book, io, id, { status, reason, since: io.now, flatten: flat, ...(lastBar ? { lastBar } : {}) });
}

/** Disables: record, stop waiting, journal, alert, cancel its orders, flatten if asked (and not replaying). */
function apply(
  book: StrategyBook,
  io: StatusIO,
  id: string,
  record: DisabledRecord,
  note = "",
  flattenNow = true,
): void {
  if (!book.disabled[id]) book.watched++;
  const d: Disabled = { ...record, flattenOrders: 0 };
  book.disabled[id] = d;
  io.release(id);
  io.journal(`strategy:${record.status}`, `${id}: ${record.reason}${note}`, { strategyId: id, ...record });
  io.alert("error", `strategy ${record.status}`, { strategyId: id, reason: record.reason, flatten: record.flatten });
  io.cancelAll(id);
  if (record.flatten && flattenNow) flattenRest(io, id, d);
}

function enable(book: StrategyBook, io: StatusIO, id: string, reason: string): void {
  if (!book.disabled[id] && !book.resuming[id]) return; // already ACTIVE
  if (book.down[id] === "quarantined") {
    const why = "its actor was quarantined by the runtime and stays down until the daemon restarts";
    io.journal("strategy:enable-refused", `${id}: ${why} (${reason})`, { strategyId: id });
    io.alert("warn", "enable refused", { strategyId: id, reason: why });
    return;
  }
  delete book.disabled[id];
  delete book.resuming[id];
  book.watched--;
  io.journal("strategy:ACTIVE", `${id}: ${reason}`, { strategyId: id, status: "ACTIVE", reason, since: io.now });
  io.alert("warn", "strategy enabled", { strategyId: id, reason });
}

/** Sends a flatten order for every position not already being closed; gives up (with an alert) after a few. */
function flattenRest(io: StatusIO, id: string, d: Disabled): void {
  for (const [symbol, qty] of io.positions(id)) {
    if (io.flattening(id, symbol)) continue;
    if (d.flattenOrders >= MAX_FLATTEN_ORDERS) {
      if (d.flattenOrders++ === MAX_FLATTEN_ORDERS) {
        io.alert("error", "cannot flatten a disabled strategy", { strategyId: id, symbol, position: qty });
      }
      return;
    }
    d.flattenOrders++;
    io.flatten(id, symbol, qty);
  }
}

/** Every strategy the guardian knows, with its status. */
export function report(book: StrategyBook, ids: Iterable<string>): Record<string, StrategyReport> {
  const out: Record<string, StrategyReport> = {};
  const all = new Set([...ids, ...Object.keys(book.disabled), ...Object.keys(book.resuming)]);
  for (const id of all) {
    const d = book.disabled[id] ?? book.resuming[id];
    const lastBar = book.lastBar[id] ?? d?.lastBar;
    const actor = book.down[id];
    out[id] = {
      status: d?.status ?? "ACTIVE",
      ...(d ? { reason: d.reason, since: d.since, flatten: d.flatten } : {}),
      ...(lastBar ? { lastBar } : {}),
      ...(actor ? { actor } : {}),
    };
  }
  return out;
}
