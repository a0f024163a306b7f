/**
 * The generic venue adapter: one behaviour over any `VenueClient` (paper, binance, ib).
 *
 * Crash safety (see README "Live trading"):
 * - write-ahead: every command is journaled (stream `venue:<name>`) before the venue sees it, and marked done
 *   with its resulting events in one append after; a command without "done" is resolved by reconciliation;
 * - client order ids are deterministic; a restarted daemon replays the journal to fresh strategies, which send
 *   the same orders again: an order whose id is journaled is never sent again. A cancel names its targets when
 *   journaled, and a CancelAll only targets orders submitted through this adapter instance (replayed or not), so a
 *   replayed CancelAll cannot touch an order placed after the original one;
 * - every event the adapter emits (bars, order events) is journaled first with a deterministic id, so a
 *   process restart replays exactly what downstream saw, in the same order, then resumes the feed after the
 *   last journaled bar;
 * - reconciliation (at start, after each reconnect, and as polling) diffs the journal with the venue's reports;
 *   until it succeeds, new orders are rejected (fail closed) and cancels wait;
 * - a modify is journaled like any command; the venue applies it in place (`VenueClient.modify`), or, for venues that
 *   cannot, the adapter cancels the live version and places a replacement under a version id (replace.ts), never
 *   two live at once, and reports it as the strategy's one order; a modify is answered under its own event id.
 */
import type { ActorContext, Behaviour } from "../runtime/mod.ts";
import { ConfigError, errorText } from "../runtime/mod.ts";
import type {
  Balance,
  Bar,
  BarDone,
  CancelAll,
  CancelOrder,
  ExchangeMessage,
  ModifyOrder,
  OrderEvent,
  OrderRequest,
  RequestBar,
  SubmitOrder,
} from "../protocol/mod.ts";
import { openJournal } from "../../storage/journal/open.ts";
import type { Journal, JournalRecord, NewEvent } from "../../storage/journal/types.ts";
import {
  applyEvent,
  diffOrder,
  eventIds,
  type KeyedEvent,
  newTracked,
  strategyIdOf,
  type TrackedOrder,
} from "./reconcile.ts";
import { type OrderReport, type VenueClient, VenueError } from "./venue.ts";
import { asOriginal, filledOf, type Version, versionId } from "./replace.ts";
import { applyChanges, changesProblem } from "./modify.ts";

export interface AdapterConfig {
  /** Venue name: orders' `venue` field and the journal stream `venue:<name>`. */
  readonly venue: string;
  /** Journal database URL (sqlite:PATH or postgres://...). */
  readonly db: string;
  /** Receives every bar and order event (the risk guardian). */
  readonly downstream: string;
  /** Receive fills (the portfolio). */
  readonly fillSubscribers: readonly string[];
  /** Receive bars followed by EndOfBar (the portfolio). */
  readonly barSubscribers: readonly string[];
  /** Replay feed asked for bars one at a time (lockstep); absent: the feed pushes. */
  readonly feed?: string;
  /** Waiting longer than this for BarDone moves on with a warning (a strategy crashed on the bar). */
  readonly ackTimeoutMs: number;
  /** Poll order status this often (venues without a pushed order stream); 0: never. */
  readonly pollMs: number;
  /** A pending order the venue never saw is sent on reconnect only if younger than this; else rejected. */
  readonly maxSubmitDelayMs: number;
  readonly backoff: { readonly minMs: number; readonly maxMs: number };
  /** Venue-specific settings, validated by the venue's client. */
  readonly client?: unknown;
  /** Also gets every emitted bar and order event (with its journal seq) and every tick: the control API's tap. */
  readonly tap?: string;
}

export type AdapterMessage =
  | ExchangeMessage
  | BarDone
  | { readonly type: "Poll" }
  | { readonly type: "Reconnect" }
  | { readonly type: "AckTimeout"; readonly symbol: string; readonly ts: number }
  /** A strategy added while running: its sub-account capital at venues that keep them. Replies StrategyCapitalSet. */
  | { readonly type: "SetStrategyCapital"; readonly strategyId: string; readonly capital: number }
  | { readonly type: "GetAdapterState" };

type Command = SubmitOrder | CancelOrder | ModifyOrder | CancelAll;

/** What is journaled before the venue sees it: an order, the exact orders a cancel targets, or a modify. */
type Intent =
  | { readonly kind: "submit"; readonly command: SubmitOrder }
  | { readonly kind: "modify"; readonly command: ModifyOrder; readonly symbol: string }
  | { readonly kind: "cancel"; readonly targets: readonly string[] };

interface Pending {
  readonly key: string;
  readonly intent: Intent;
  readonly at: number;
}

interface BarPos {
  readonly symbol: string;
  readonly ts: number;
}

export interface AdapterState {
  readonly config: AdapterConfig;
  readonly venue: VenueClient;
  readonly journal: Journal;
  phase: "ready" | "recovering";
  failures: number;
  /** Orders not final yet; a final one leaves, only its id stays in `closed` (memory per order stays small). */
  readonly orders: Map<string, TrackedOrder>;
  /** Side and symbol of every journaled submit: a replayed order must be the same order (see onCommand). */
  readonly intents: Map<string, string>;
  /** Client order ids of final orders: never sent again, and nothing about them is journaled again. */
  readonly closed: Set<string>;
  /** Journaled ids that could be generated again: events of open orders, commands not done yet. */
  readonly known: Set<string>;
  /** Ids of the bars journaled at the last bar time (older bars are dropped as stale before they get here). */
  readonly barsAtLast: Set<string>;
  /** Open orders as submitted (with the modifies replaced in), for a cancel-replace. */
  readonly requests: Map<string, OrderRequest>;
  /** Open orders replaced at the venue (cancel-replace): their live version. */
  readonly versions: Map<string, Version>;
  /** Ids of every journaled modify: a replayed one is never applied again. */
  readonly modifies: Set<string>;
  /** Orders submitted through this instance (sent or skipped as already sent): what a CancelAll may target. */
  readonly submitted: Set<string>;
  cancelSeq: number;
  readonly pending: Map<string, Pending>;
  /** Journaled records still to emit (process start: all of them). */
  replay: JournalRecord[];
  waiting: BarPos | undefined;
  lastBar: BarPos | undefined;
  /** Per symbol, the last bar from the feed and when it arrived (wall clock): how health judges the feed fresh. */
  readonly barsSeen: Map<string, { readonly ts: number; readonly at: number }>;
  readonly lastPrice: Map<string, number>;
  balances: readonly Balance[];
  /** The venue's resolved instrument rules last sent downstream (JSON): sent again only when they change. */
  rulesSent?: string;
  emittedSeq: number;
  ended: boolean;
}

interface AdapterSnapshot {
  readonly emittedSeq: number;
  readonly submitted: string[];
}

export type ClientFactory = (config: AdapterConfig, ctx: ActorContext<AdapterMessage>) => VenueClient;

const positive = (actor: string, field: string, value: unknown, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(actor, field, `must be a non-negative number, got ${JSON.stringify(value)}`);
  }
  return value;
};

export function parseAdapterConfig(raw: unknown, actor: string): AdapterConfig {
  const c = (raw ?? {}) as Record<string, unknown>;
  for (const field of ["venue", "db", "downstream"]) {
    if (typeof c[field] !== "string" || (c[field] as string).length === 0) {
      throw new ConfigError(actor, field, "required (a non-empty string)");
    }
  }
  const backoff = (c.backoff ?? {}) as Record<string, unknown>;
  return {
    venue: c.venue as string,
    db: c.db as string,
    downstream: c.downstream as string,
    fillSubscribers: (c.fillSubscribers as string[] | undefined) ?? [],
    barSubscribers: (c.barSubscribers as string[] | undefined) ?? [],
    ...(typeof c.feed === "string" ? { feed: c.feed } : {}),
    ...(typeof c.tap === "string" ? { tap: c.tap } : {}),
    ackTimeoutMs: positive(actor, "ackTimeoutMs", c.ackTimeoutMs, 10_000),
    pollMs: positive(actor, "pollMs", c.pollMs, 0),
    maxSubmitDelayMs: positive(actor, "maxSubmitDelayMs", c.maxSubmitDelayMs, 10_000),
    backoff: {
      minMs: positive(actor, "backoff.minMs", backoff.minMs, 100),
      maxMs: positive(actor, "backoff.maxMs", backoff.maxMs, 2_000),
    },
    client: c.client,
  };
}

const isOrderEvent = (type: string) => type.startsWith("Order");
const barId = (venue: string, bar: BarPos) => `${venue}:bar:${bar.symbol}:${bar.ts}`;

const commandId = (state: AdapterState, key: string) => `${state.config.venue}:cmd:${key}`;
const isTracked = (state: AdapterState, cid: string) => state.orders.has(cid) || state.closed.has(cid);

/** The prefix `p` of `cid` (`cid` = `${p}-...`) that `has` holds: a bracket leg's parent, or undefined. */
function hasParent(cid: string, has: (p: string) => boolean): string | undefined {
  for (let i = cid.indexOf("-"); i >= 0; i = cid.indexOf("-", i + 1)) {
    if (has(cid.slice(0, i))) return cid.slice(0, i);
  }
  return undefined;
}

/** Folds one journal record into the adapter's view (orders, command keys, last bar). */
function fold(state: AdapterState, r: JournalRecord): void {
  switch (r.type) {
    case "Command": {
      state.known.add(r.eventId);
      const { key, intent } = r.payload as { key: string; intent: Intent };
      state.pending.set(key, { key, intent, at: r.ts });
      if (intent.kind === "submit") {
        const o = intent.command.order;
        state.intents.set(o.clientOrderId, `${o.side} ${o.symbol}`);
      }
      if (intent.kind === "modify") state.modifies.add(intent.command.modifyId);
      if (intent.kind === "submit" && !isTracked(state, intent.command.order.clientOrderId)) {
        const o = intent.command.order;
        state.orders.set(o.clientOrderId, newTracked(o.clientOrderId, o.strategyId, o.symbol));
        state.requests.set(o.clientOrderId, o);
      }
      return;
    }
    case "Replaced": {
      const { target, version, order } = r.payload as { target: string; version: Version; order: OrderRequest };
      if (state.closed.has(target)) return;
      state.versions.set(target, version);
      state.requests.set(target, order);
      return;
    }
    case "Done": {
      // Settled: a command's id comes back only with a new key (submits are deduped on client order id).
      const { key } = r.payload as { key: string };
      state.pending.delete(key);
      state.known.delete(commandId(state, key));
      return;
    }
    case "Bar": {
      const bar = (r.payload as { bar: Bar }).bar;
      if (state.lastBar?.ts !== bar.ts) state.barsAtLast.clear();
      state.barsAtLast.add(r.eventId);
      state.lastBar = { symbol: bar.symbol, ts: bar.ts };
      state.lastPrice.set(bar.symbol, bar.close);
      return;
    }
    default:
      if (isOrderEvent(r.type)) {
        state.known.add(r.eventId);
        trackEvent(state, r.payload as OrderEvent);
      }
  }
}

function trackEvent(state: AdapterState, event: OrderEvent): void {
  if (event.type === "OrderSubmitted" || state.closed.has(event.clientOrderId)) return;
  let t = state.orders.get(event.clientOrderId);
  // A modify's outcome never makes an order known (a refused modify may name one the venue never had).
  if (!t && (event.type === "OrderModified" || event.type === "OrderModifyRejected")) return;
  if (!t) {
    const symbol = "fill" in event ? event.fill.symbol : "";
    t = newTracked(event.clientOrderId, event.strategyId, symbol);
    state.orders.set(event.clientOrderId, t);
  }
  applyEvent(t, event);
  if (t.final) settle(state, t);
}

/** A final order's events are all journaled (its last one was just folded): keep only its id. */
function settle(state: AdapterState, t: TrackedOrder): void {
  const { venue } = state.config;
  const cid = t.clientOrderId;
  state.orders.delete(cid);
  state.requests.delete(cid);
  state.versions.delete(cid);
  state.closed.add(cid);
  state.known.delete(eventIds.accepted(venue, cid));
  state.known.delete(eventIds.final(venue, cid));
  for (const fillId of t.fillIds) state.known.delete(eventIds.fill(venue, cid, fillId));
}

/** Sends one journaled record downstream. */
function emit(state: AdapterState, ctx: ActorContext<AdapterMessage>, r: JournalRecord): void {
  const c = state.config;
  if (c.tap !== undefined && (r.type === "Bar" || isOrderEvent(r.type))) {
    ctx.tell(c.tap, { type: "VenueRecord", seq: r.seq, recordType: r.type, payload: r.payload });
  }
  if (r.type === "Bar") {
    const bar = (r.payload as { bar: Bar }).bar;
    const msg = { type: "Bar", bar } as const;
    ctx.tell(c.downstream, msg);
    for (const to of c.barSubscribers) {
      ctx.tell(to, msg);
      ctx.tell(to, { type: "EndOfBar", ts: bar.ts });
    }
    return;
  }
  if (!isOrderEvent(r.type)) return;
  const event = r.payload as OrderEvent;
  ctx.tell(c.downstream, event);
  if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled") {
    for (const to of c.fillSubscribers) ctx.tell(to, event);
    const f = event.fill;
    ctx.log.info("fill", { clientOrderId: f.clientOrderId, side: f.side, qty: f.qty, price: f.price, ts: f.ts });
  }
}

/** Journals `events` (skipping ids already stored), then emits them unless `deferred` collects them for replay. */
async function commit(
  state: AdapterState,
  ctx: ActorContext<AdapterMessage>,
  events: readonly NewEvent[],
  deferred?: JournalRecord[],
): Promise<void> {
  const fresh = events.filter((e) => !state.known.has(e.eventId) && !state.barsAtLast.has(e.eventId));
  if (fresh.length === 0) return;
  const seqs = await state.journal.append(fresh);
  fresh.forEach((e, i) => {
    const record: JournalRecord = { ...e, seq: seqs[i] };
    fold(state, record);
    if (deferred) deferred.push(record);
    else {
      emit(state, ctx, record);
      state.emittedSeq = Math.max(state.emittedSeq, record.seq);
    }
  });
}

function toNewEvents(state: AdapterState, keyed: readonly KeyedEvent[], ts: number): NewEvent[] {
  return keyed.map((k) => ({ eventId: k.eventId, stream: stream(state), type: k.event.type, ts, payload: k.event }));
}

const stream = (state: AdapterState) => `venue:${state.config.venue}`;
const doneEvent = (state: AdapterState, key: string, ts: number): NewEvent => ({
  eventId: `${state.config.venue}:done:${key}`,
  stream: stream(state),
  type: "Done",
  ts,
  payload: { key },
});

function trackedFor(state: AdapterState, report: OrderReport): TrackedOrder {
  let t = state.orders.get(report.clientOrderId);
  if (!t) {
    t = newTracked(report.clientOrderId, report.strategyId || strategyIdOf(report.clientOrderId), report.symbol);
    state.orders.set(report.clientOrderId, t);
  }
  return t;
}

function diffReports(state: AdapterState, reports: readonly OrderReport[]): KeyedEvent[] {
  const out: KeyedEvent[] = [];
  for (const report of reports) {
    if (state.closed.has(report.clientOrderId)) continue; // final: all of it is journaled already
    const t = trackedFor(state, report);
    // Apply as we go: one report list may hold the same order twice (a fill, then its bracket's cancel).
    for (const k of diffOrder(state.config.venue, t, report)) {
      out.push(k);
      applyEvent(t, k.event);
    }
  }
  return out;
}

/** Journals records in the middle of a command (a cancel-replace's `Replaced`), before the venue sees the next step. */
type Write = (events: readonly NewEvent[]) => Promise<void>;

/** The venue's report of an order, by its live version when it was replaced, as the strategy's order. */
async function reportOf(state: AdapterState, cid: string, symbol: string): Promise<OrderReport | undefined> {
  const v = state.versions.get(cid);
  const report = await state.venue.report(v?.venueCid ?? cid, symbol);
  return report && v ? asOriginal(report, cid, v.base) : report;
}

/** Runs one intent against the venue; returns its events. VenueError("unavailable") propagates. */
async function run(state: AdapterState, intent: Intent, now: number, write: Write): Promise<KeyedEvent[]> {
  if (intent.kind === "cancel") return await cancelEach(state, intent.targets.map((cid) => state.orders.get(cid)), now);
  if (intent.kind === "modify") return await modifyAt(state, intent.command, intent.symbol, now, write);
  const o = intent.command.order;
  if (!isTracked(state, o.clientOrderId)) {
    state.orders.set(o.clientOrderId, newTracked(o.clientOrderId, o.strategyId, o.symbol));
  }
  try {
    const report = await state.venue.submit(o, { now, lastPrice: state.lastPrice });
    return diffReports(state, [report]);
  } catch (err) {
    if (!(err instanceof VenueError && err.kind === "rejected")) throw err;
    return [rejection(state, o.clientOrderId, o.strategyId, err.message, now)];
  }
}

function rejection(state: AdapterState, clientOrderId: string, strategyId: string, reason: string, ts: number) {
  return {
    eventId: eventIds.final(state.config.venue, clientOrderId),
    event: { type: "OrderRejected", clientOrderId, strategyId, reason, ts },
  } satisfies KeyedEvent;
}

/**
 * One modify at the venue: the target's fills so far (from the report it answers with), then the outcome under the
 * modify's own event id. A venue that cannot modify in place refuses; so does an unreachable one (see onCommand).
 */
async function modifyAt(
  state: AdapterState,
  c: ModifyOrder,
  symbol: string,
  now: number,
  write: Write,
): Promise<KeyedEvent[]> {
  const { clientOrderId, strategyId, modifyId } = c;
  const venue = state.config.venue;
  const refusal = (reason: string): KeyedEvent => ({
    eventId: eventIds.modify(venue, modifyId),
    event: { type: "OrderModifyRejected", clientOrderId, strategyId, modifyId, reason, denied: false, ts: now },
  });
  if (!state.venue.modify) return await replaceAt(state, c, now, write, refusal);
  let outcome;
  try {
    outcome = await state.venue.modify(
      { clientOrderId, strategyId, modifyId, changes: c.changes, ...(c.trade ? { trade: true } : {}), symbol },
      { now, lastPrice: state.lastPrice },
    );
  } catch (err) {
    if (!(err instanceof VenueError && err.kind === "rejected")) throw err;
    return [refusal(err.message)];
  }
  const events = outcome.report ? diffReports(state, [outcome.report]) : [];
  if (outcome.kind === "refused") return [...events, refusal(outcome.reason)];
  return [...events, {
    eventId: eventIds.modify(venue, modifyId),
    event: { type: "OrderModified", clientOrderId, strategyId, modifyId, changes: outcome.changes, ts: now },
  }];
}

/** A modify by cancel, then replace (steps and ids in replace.ts). */
async function replaceAt(
  state: AdapterState,
  c: ModifyOrder,
  now: number,
  write: Write,
  refusal: (reason: string) => KeyedEvent,
): Promise<KeyedEvent[]> {
  const venue = state.config.venue;
  const target = c.clientOrderId;
  const t = state.orders.get(target);
  const request = state.requests.get(target);
  if (c.trade) return [refusal(`venue ${venue} places no brackets: the risk guardian moves their exits`)];
  if (!t || t.final || !request) return [refusal(`modify: ${target} is not open (filled, closed or unknown)`)];
  if (request.sizing) return [refusal("modify: an order sized at the venue cannot be replaced")];
  const problem = changesProblem(request, c.changes, t.filledQty);
  if (problem) return [refusal(problem)];
  const events: KeyedEvent[] = [];
  if (state.versions.get(target)?.modifyId !== c.modifyId) {
    // 1. Cancel the live version. A venue "already closed" is read from its report.
    const live = state.versions.get(target);
    const liveCid = live?.venueCid ?? target;
    let report: OrderReport | undefined;
    try {
      report = await state.venue.cancel(liveCid, t.symbol, now);
    } catch (err) {
      if (!(err instanceof VenueError && err.kind === "rejected")) throw err;
      report = await state.venue.report(liveCid, t.symbol);
    }
    const base = live?.base ?? 0;
    if (!report || report.status !== "canceled") {
      const seen = report ? diffReports(state, [asOriginal(report, target, base)]) : [];
      return [...seen, refusal(`modify: ${target} filled or closed before it could be replaced`)];
    }
    // Its fills, as the strategy's order's; not its cancel: the order lives on in the replacement.
    events.push(...diffReports(state, [{ ...asOriginal(report, target, base), status: "open" }]));
    const filled = base + filledOf(report);
    const order = applyChanges(request, c.changes);
    const leaves = order.qty - filled;
    if (!(leaves > 0)) {
      const ended = diffReports(state, [asOriginal(report, target, base)]);
      return [...events, ...ended, refusal(`modify: ${target} filled ${filled} of it before it could be replaced`)];
    }
    // 2. Journal the replacement before the venue sees it.
    const number = (live?.version ?? 0) + 1;
    const version: Version = {
      venueCid: versionId(target, number),
      base: filled,
      version: number,
      modifyId: c.modifyId,
      order: { ...order, clientOrderId: versionId(target, number), qty: leaves },
    };
    await write([
      ...toNewEvents(state, events, now),
      {
        eventId: `${venue}:replaced:${c.modifyId}`,
        stream: stream(state),
        type: "Replaced",
        ts: now,
        payload: { target, version, order },
      },
    ]);
    events.length = 0;
  }
  // 3. Place it (a repeat after a crash is deduped by the venue on its id and adopted).
  const version = state.versions.get(target)!;
  let placed: OrderReport;
  try {
    placed = await state.venue.submit(version.order, { now, lastPrice: state.lastPrice });
  } catch (err) {
    if (!(err instanceof VenueError && err.kind === "rejected")) throw err;
    // Cancelled and not replaced: the order is gone; say so, with the venue's reason.
    return [...events, refusal(`modify: the replacement was refused (${err.message})`), {
      eventId: eventIds.final(venue, target),
      event: {
        type: "OrderCanceled",
        clientOrderId: target,
        strategyId: c.strategyId,
        reason: `replaced order refused by the venue: ${err.message}`,
        ts: now,
      },
    }];
  }
  return [...events, ...diffReports(state, [asOriginal(placed, target, version.base)]), {
    eventId: eventIds.modify(venue, c.modifyId),
    event: {
      type: "OrderModified",
      clientOrderId: target,
      strategyId: c.strategyId,
      modifyId: c.modifyId,
      changes: c.changes,
      ts: now,
    },
  }];
}

/** The symbol of an order or of a trade's exits, as tracked here ("" when unknown: the venue will refuse). */
function symbolOfTarget(state: AdapterState, cid: string): string {
  for (const id of [cid, `${cid}-sl`, `${cid}-tp`]) {
    const t = state.orders.get(id);
    if (t && t.symbol !== "") return t.symbol;
  }
  return "";
}

/** The open orders a cancel command targets, decided once, when it is journaled. */
function targetsOf(state: AdapterState, command: CancelOrder | CancelAll): string[] {
  if (command.type === "CancelOrder") {
    const t = state.orders.get(command.clientOrderId);
    return t && !t.final ? [t.clientOrderId] : [];
  }
  const isSubmitted = (cid: string) =>
    command.strategyId === undefined || state.submitted.has(cid) ||
    hasParent(cid, (p) => state.submitted.has(p)) !== undefined;
  return [...state.orders.values()].filter((t) =>
    !t.final && (command.strategyId === undefined || t.strategyId === command.strategyId) &&
    (command.symbol === undefined || t.symbol === command.symbol) && isSubmitted(t.clientOrderId)
  ).map((t) => t.clientOrderId);
}

async function cancelEach(state: AdapterState, targets: (TrackedOrder | undefined)[], now: number) {
  const reports: OrderReport[] = [];
  for (const t of targets) {
    if (!t || t.final) continue;
    const v = state.versions.get(t.clientOrderId);
    try {
      const report = await state.venue.cancel(v?.venueCid ?? t.clientOrderId, t.symbol, now);
      if (report) reports.push(v ? asOriginal(report, t.clientOrderId, v.base) : report);
    } catch (err) {
      // A cancel the venue refuses (already closed) is not an error: the report below says what happened.
      if (!(err instanceof VenueError && err.kind === "rejected")) throw err;
      const report = await reportOf(state, t.clientOrderId, t.symbol);
      if (report) reports.push(report);
    }
  }
  return diffReports(state, reports);
}

async function execute(state: AdapterState, ctx: ActorContext<AdapterMessage>, p: Pending): Promise<void> {
  const now = marketNow(state, ctx);
  const events = await run(state, p.intent, now, (e) => commit(state, ctx, e));
  await commit(state, ctx, [...toNewEvents(state, events, now), doneEvent(state, p.key, now)]);
}

function marketNow(state: AdapterState, ctx: ActorContext<AdapterMessage>): number {
  // A replayed paper run lives in the data's time, so a rerun sees the same timestamps.
  return state.config.feed !== undefined && state.lastBar ? state.lastBar.ts : ctx.clock.now();
}

/**
 * Brings the journal up to the venue: reports of every open order, then pending commands in order.
 * `deferred` collects new records instead of emitting them (process start: they are replayed with the rest).
 */
async function reconcile(
  state: AdapterState,
  ctx: ActorContext<AdapterMessage>,
  deferred?: JournalRecord[],
): Promise<void> {
  await state.venue.connect();
  state.balances = await state.venue.balances();
  const now = marketNow(state, ctx);
  // An order a pending modify is replacing may be cancelled at the venue: the modify's replay settles it.
  const replacing = new Set(
    [...state.pending.values()].flatMap((p) => p.intent.kind === "modify" ? [p.intent.command.clientOrderId] : []),
  );
  const open = [...state.orders.values()].filter((t) => !t.final && !replacing.has(t.clientOrderId));
  const reports: OrderReport[] = [];
  for (const t of open) {
    const report = await reportOf(state, t.clientOrderId, t.symbol);
    if (report) reports.push(report);
  }
  const venueOpen = await state.venue.openOrders();
  const liveVersions = new Set([...state.versions.values()].map((v) => v.venueCid));
  for (const r of venueOpen) {
    if (isTracked(state, r.clientOrderId) || liveVersions.has(r.clientOrderId)) continue;
    const parent = hasParent(r.clientOrderId, (p) => isTracked(state, p));
    if (parent) reports.push(r); // a child the venue created (bracket leg)
    else ctx.log.error("order open at the venue unknown to the journal; left untouched", { ...r, fills: undefined });
  }
  await commit(state, ctx, toNewEvents(state, diffReports(state, reports), now), deferred);
  for (const p of [...state.pending.values()]) {
    if (p.intent.kind === "submit") {
      const o = p.intent.command.order;
      const t = state.orders.get(o.clientOrderId);
      const seen = state.closed.has(o.clientOrderId) || (t && (t.accepted || t.final))
        ? true
        : await state.venue.report(o.clientOrderId, o.symbol);
      if (seen) {
        if (seen !== true) {
          await commit(state, ctx, toNewEvents(state, diffReports(state, [seen]), now), deferred);
        }
        await commit(state, ctx, [doneEvent(state, p.key, now)], deferred);
        continue;
      }
      if (ctx.clock.now() - p.at > state.config.maxSubmitDelayMs && state.config.feed === undefined) {
        const reason = `not sent: the venue was unavailable for more than ${state.config.maxSubmitDelayMs} ms`;
        const rejected = rejection(state, o.clientOrderId, o.strategyId, reason, now);
        await commit(state, ctx, [...toNewEvents(state, [rejected], now), doneEvent(state, p.key, now)], deferred);
        continue;
      }
    }
    const events = await run(state, p.intent, now, (e) => commit(state, ctx, e, deferred));
    await commit(state, ctx, [...toNewEvents(state, events, now), doneEvent(state, p.key, now)], deferred);
  }
}

function enterRecovering(state: AdapterState, ctx: ActorContext<AdapterMessage>, err: unknown): void {
  state.phase = "recovering";
  state.failures++;
  const { minMs, maxMs } = state.config.backoff;
  const delay = Math.min(maxMs, minMs * 2 ** Math.min(20, state.failures - 1));
  ctx.log.warn("venue unavailable; trading halted until reconciled", {
    venue: state.config.venue,
    error: errorText(err),
    retryInMs: delay,
    failures: state.failures,
  });
  ctx.cancelSchedule("poll");
  ctx.schedule("reconnect", delay, { type: "Reconnect" });
}

async function guarded(state: AdapterState, ctx: ActorContext<AdapterMessage>, work: () => Promise<void>) {
  try {
    await work();
  } catch (err) {
    if (err instanceof VenueError && err.kind === "unavailable") enterRecovering(state, ctx, err);
    else throw err;
  }
}

function becomeReady(state: AdapterState, ctx: ActorContext<AdapterMessage>): void {
  if (state.phase !== "ready") ctx.log.info("venue reconciled; accepting commands", { venue: state.config.venue });
  announceRules(state, ctx);
  state.phase = "ready";
  state.failures = 0;
  if (state.config.pollMs > 0) ctx.schedule("poll", state.config.pollMs, { type: "Poll" });
}

/** The rules the venue resolved (IB's contracts) go to the risk guardian, which checks orders against them. */
function announceRules(state: AdapterState, ctx: ActorContext<AdapterMessage>): void {
  const rules = state.venue.instrumentRules?.();
  if (!rules || Object.keys(rules).length === 0) return;
  const text = JSON.stringify(rules);
  if (text === state.rulesSent) return;
  state.rulesSent = text;
  ctx.tell(state.config.downstream, { type: "VenueInstruments", venue: state.config.venue, instruments: rules });
}

/** Emits replay records; in lockstep, stops after each bar until its BarDone. Then asks the feed for more. */
function pump(state: AdapterState, ctx: ActorContext<AdapterMessage>): void {
  while (state.replay.length > 0) {
    const r = state.replay.shift()!;
    emit(state, ctx, r);
    state.emittedSeq = Math.max(state.emittedSeq, r.seq);
    if (r.type === "Bar" && state.config.feed !== undefined) {
      const bar = (r.payload as { bar: Bar }).bar;
      waitFor(state, ctx, { symbol: bar.symbol, ts: bar.ts });
      return;
    }
  }
  requestNext(state, ctx);
}

function waitFor(state: AdapterState, ctx: ActorContext<AdapterMessage>, bar: BarPos): void {
  state.waiting = bar;
  ctx.schedule("ack", state.config.ackTimeoutMs, { type: "AckTimeout", symbol: bar.symbol, ts: bar.ts });
}

function requestNext(state: AdapterState, ctx: ActorContext<AdapterMessage>): void {
  const feed = state.config.feed;
  if (feed === undefined || state.waiting || state.replay.length > 0) return;
  const request: RequestBar & { afterSymbol?: string } = {
    type: "RequestBar",
    afterTs: state.lastBar?.ts ?? -Infinity,
    replyTo: ctx.path,
    ...(state.lastBar ? { afterSymbol: state.lastBar.symbol } : {}),
  };
  ctx.tell(feed, request);
}

async function onBar(state: AdapterState, ctx: ActorContext<AdapterMessage>, bar: Bar): Promise<void> {
  const pos = { symbol: bar.symbol, ts: bar.ts };
  if (state.barsAtLast.has(barId(state.config.venue, pos))) return; // a bar journaled before a restart
  const reports = state.venue.onBar ? await state.venue.onBar(bar) : [];
  const events = toNewEvents(state, diffReports(state, reports), bar.ts);
  const barEvent: NewEvent = {
    eventId: barId(state.config.venue, pos),
    stream: stream(state),
    type: "Bar",
    ts: bar.ts,
    payload: { bar },
  };
  await commit(state, ctx, [...events, barEvent]);
  if (state.config.feed !== undefined) waitFor(state, ctx, pos);
}

async function onCommand(state: AdapterState, ctx: ActorContext<AdapterMessage>, command: Command): Promise<void> {
  let intent: Intent;
  let key: string;
  if (command.type === "SubmitOrder") {
    const cid = command.order.clientOrderId;
    state.submitted.add(cid);
    if (isTracked(state, cid)) {
      // Journaled before (a replay after a restart): never sent twice. A strategy fed what it was fed the first time
      // sends the same order again; anything else means its replay went another way, which must not go unseen.
      const journaled = state.intents.get(cid);
      const o = command.order;
      if (journaled !== undefined && journaled !== `${o.side} ${o.symbol}`) {
        ctx.log.error("a replayed order differs from the journaled one: the strategy's replay diverged", {
          clientOrderId: cid,
          journaled,
          replayed: `${o.side} ${o.symbol}`,
        });
      }
      return;
    }
    intent = { kind: "submit", command };
    key = `submit:${cid}`;
  } else if (command.type === "ModifyOrder") {
    // Journaled before (a replay after a restart): applied once, its outcome replayed from the journal.
    if (state.modifies.has(command.modifyId)) return;
    intent = { kind: "modify", command, symbol: symbolOfTarget(state, command.clientOrderId) };
    key = `modify:${command.modifyId}`;
  } else {
    const targets = targetsOf(state, command);
    if (targets.length === 0) return;
    intent = { kind: "cancel", targets };
    key = `cancel:${targets[0]}:${ctx.clock.now()}:${++state.cancelSeq}`;
  }
  const now = marketNow(state, ctx);
  const record: NewEvent = {
    eventId: commandId(state, key),
    stream: stream(state),
    type: "Command",
    ts: ctx.clock.now(),
    payload: { key, intent },
  };
  await commit(state, ctx, [record]);
  const pending = state.pending.get(key)!;
  if (state.phase !== "ready") {
    if (intent.kind === "cancel") return; // cancels wait for reconciliation
    if (intent.kind === "modify") {
      const c = intent.command;
      const reason = `venue ${state.config.venue} unavailable: modify refused, the order is as it was`;
      const refused: KeyedEvent = {
        eventId: eventIds.modify(state.config.venue, c.modifyId),
        event: {
          type: "OrderModifyRejected",
          clientOrderId: c.clientOrderId,
          strategyId: c.strategyId,
          modifyId: c.modifyId,
          reason,
          denied: false,
          ts: now,
        },
      };
      await commit(state, ctx, [...toNewEvents(state, [refused], now), doneEvent(state, key, now)]);
      return;
    }
    const o = intent.command.order;
    const reason = `venue ${state.config.venue} unavailable: trading halted until reconciled`;
    await commit(state, ctx, [
      ...toNewEvents(state, [rejection(state, o.clientOrderId, o.strategyId, reason, now)], now),
      doneEvent(state, key, now),
    ]);
    return;
  }
  await guarded(state, ctx, () => execute(state, ctx, pending));
}

export function createAdapter(makeClient: ClientFactory): Behaviour<AdapterMessage, AdapterState, AdapterConfig> {
  async function start(
    config: AdapterConfig,
    ctx: ActorContext<AdapterMessage>,
    snapshot: AdapterSnapshot | undefined,
  ): Promise<AdapterState> {
    const journal = await openJournal(config.db);
    const state: AdapterState = {
      config,
      venue: makeClient(config, ctx),
      journal,
      phase: "recovering",
      failures: 0,
      orders: new Map(),
      intents: new Map(),
      closed: new Set(),
      known: new Set(),
      barsAtLast: new Set(),
      modifies: new Set(),
      requests: new Map(),
      versions: new Map(),
      submitted: new Set(snapshot?.submitted ?? []),
      cancelSeq: 0,
      pending: new Map(),
      replay: [],
      waiting: undefined,
      lastBar: undefined,
      barsSeen: new Map(),
      lastPrice: new Map(),
      balances: [],
      emittedSeq: snapshot?.emittedSeq ?? 0,
      ended: false,
    };
    const records = await state.journal.read({ stream: stream(state) });
    for (const r of records) fold(state, r);
    // Process start: downstream is fresh and gets everything; actor restart: only what it has not seen.
    const replay = records.filter((r) => r.seq > state.emittedSeq && (r.type === "Bar" || isOrderEvent(r.type)));
    try {
      await reconcile(state, ctx, replay);
      becomeReady(state, ctx);
    } catch (err) {
      if (!(err instanceof VenueError && err.kind === "unavailable")) throw err;
      enterRecovering(state, ctx, err);
    }
    ctx.log.info("adapter started", {
      venue: config.venue,
      phase: state.phase,
      journaled: records.length,
      replay: replay.length,
      pending: state.pending.size,
    });
    state.replay = replay;
    pump(state, ctx);
    return state;
  }

  return {
    accepts: [
      "SubmitOrder",
      "CancelOrder",
      "ModifyOrder",
      "CancelAll",
      "Bar",
      "Tick",
      "GetAccount",
      "BarDone",
      "Poll",
      "Reconnect",
      "AckTimeout",
      "SetStrategyCapital",
      "GetAdapterState",
    ],
    parseConfig: parseAdapterConfig,
    init: (config, ctx) => start(config, ctx, undefined),
    restore: (snapshot, config, ctx) => start(config, ctx, snapshot as AdapterSnapshot),
    snapshot: (state): AdapterSnapshot => ({
      emittedSeq: state.emittedSeq,
      // From the open orders: a snapshot is taken after every message, so it must not scan every order ever sent.
      submitted: [...state.orders.values()].filter((t) => !t.final && state.submitted.has(t.clientOrderId))
        .map((t) => t.clientOrderId),
    }),
    async receive(state, msg, ctx) {
      switch (msg.type) {
        case "SubmitOrder":
        case "CancelOrder":
        case "ModifyOrder":
        case "CancelAll":
          await onCommand(state, ctx, msg);
          return state;
        case "Bar":
          state.lastPrice.set(msg.bar.symbol, msg.bar.close);
          if (state.lastBar && (msg.bar.ts < state.lastBar.ts)) return state; // stale (a repeated request)
          state.barsSeen.set(msg.bar.symbol, { ts: msg.bar.ts, at: ctx.clock.now() });
          await onBar(state, ctx, msg.bar);
          return state;
        case "Tick":
          state.lastPrice.set(msg.tick.symbol, msg.tick.price);
          if (state.config.tap !== undefined) ctx.tell(state.config.tap, msg);
          // To the strategies through the guardian (not journaled: a tick is no bar of the replayed clock).
          ctx.tell(state.config.downstream, msg);
          return state;
        case "BarDone":
        case "AckTimeout":
          if (!state.waiting || state.waiting.symbol !== msg.symbol || state.waiting.ts !== msg.ts) return state;
          if (msg.type === "AckTimeout") ctx.log.warn("no BarDone in time; moving on", { ...state.waiting });
          ctx.cancelSchedule("ack");
          state.waiting = undefined;
          pump(state, ctx);
          return state;
        case "Poll":
          if (state.phase !== "ready") return state;
          await guarded(state, ctx, async () => {
            const open = [...state.orders.values()].filter((t) => !t.final);
            const reports: OrderReport[] = [];
            for (const t of open) {
              const report = await reportOf(state, t.clientOrderId, t.symbol);
              if (report) reports.push(report);
            }
            for (const r of state.venue.changed?.() ?? []) {
              if (!isTracked(state, r.clientOrderId) && hasParent(r.clientOrderId, (p) => isTracked(state, p))) {
                reports.push(r); // a bracket leg the venue created
              }
            }
            const now = marketNow(state, ctx);
            await commit(state, ctx, toNewEvents(state, diffReports(state, reports), now));
            ctx.schedule("poll", state.config.pollMs, { type: "Poll" });
          });
          return state;
        case "Reconnect":
          await guarded(state, ctx, async () => {
            await reconcile(state, ctx);
            becomeReady(state, ctx);
          });
          return state;
        case "GetAccount": {
          const equity = state.balances.reduce((sum, b) => sum + (b.currency === "USD" ? b.free + b.locked : 0), 0);
          ctx.reply({
            type: "Account",
            account: { venue: state.config.venue, balances: state.balances, ts: ctx.clock.now() },
            equity,
          });
          return state;
        }
        case "SetStrategyCapital": {
          const kept = state.venue.setStrategyCapital !== undefined;
          if (kept) await state.venue.setStrategyCapital!(msg.strategyId, msg.capital);
          if (ctx.sender) ctx.reply({ type: "StrategyCapitalSet", strategyId: msg.strategyId, kept });
          return state;
        }
        case "GetAdapterState":
          ctx.reply({
            type: "AdapterState",
            venue: state.config.venue,
            phase: state.phase,
            failures: state.failures,
            openOrders: [...state.orders.values()].filter((t) => !t.final).map((t) => t.clientOrderId),
            pending: [...state.pending.keys()],
            lastBar: state.lastBar,
            bars: Object.fromEntries(state.barsSeen),
            replaying: state.replay.length + (state.waiting ? 1 : 0),
            balances: state.balances,
            // What the adapter holds in memory: all but `closed` (one id per final order) stay bounded.
            held: { tracked: state.orders.size, closed: state.closed.size, known: state.known.size },
          });
          return state;
      }
    },
    async stop(state) {
      await state.venue.close().catch(() => {});
      await state.journal.close().catch(() => {});
    },
  };
}
