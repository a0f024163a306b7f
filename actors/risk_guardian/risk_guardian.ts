/**
 * The risk guardian: the only road to an exchange. Checks every order (a failed check is an OrderDenied
 * event, not an exception), proxies order events back to their strategy, tracks positions from fills,
 * moves trading between ACTIVE, REDUCING and HALTED on equity limits, and runs the kill switch. For venues
 * without native brackets it manages the stop-loss and take-profit itself (see brackets.ts).
 */
import * as latency from "./latency.ts";
import { type ActorContext, type Behaviour, ConfigError } from "../runtime/mod.ts";
import {
  type AdjustCapital,
  type Bar,
  type BarHandled,
  type ExchangeMessage,
  type ModifyOrder,
  ORDER_EVENT_TYPES,
  type OrderChanges,
  type OrderEvent,
  type OrderRequest,
  type SubmitOrder,
  type Tick,
  type TickHandled,
  type VenueInstruments,
} from "../protocol/mod.ts";
import {
  checkOrder,
  type InstrumentRules,
  type OrderLimits,
  type RiskLimits,
  type RiskView,
  type StrategyLimits,
  type TradingState,
} from "./checks.ts";
import { applyPatch, type LimitPatch, type LimitScope, validatePatch } from "./limit_changes.ts";
import { type OpenExposure, openQuantity } from "./exposure.ts";
import {
  applyBracketEvent,
  type BracketAction,
  moveExits,
  openBracket,
  parentOf,
  planExits,
  type SyntheticBracket,
} from "./brackets.ts";
import { applyChanges, changesProblem, tradeChangesProblem } from "../exchange/modify.ts";
import { ackBar, awaitBar, type BarAcks, releaseStrategy } from "./lockstep.ts";
import * as status from "./strategy_status.ts";
import * as roster from "./roster.ts";
import { type EquityWatch, riskMetrics, watchEquity } from "./usage.ts";
import * as ticks from "./tick_flow.ts";

export interface RiskGuardianConfig {
  readonly limits: RiskLimits;
  /** Strategy id → limits of that strategy's own orders and positions (on top of the account's). */
  readonly strategyLimits?: Readonly<Record<string, StrategyLimits>>;
  /** Exchange actor path per venue. */
  readonly exchanges: Readonly<Record<string, string>>;
  readonly initialState?: TradingState;
  /** Strategy id → its supervisor's path: events reach their owner even before it has sent an order. */
  readonly owners?: Readonly<Record<string, string>>;
  /**
   * Live: bars come from the venue adapter through here (after the order events they follow) and go to these
   * paths per symbol; BarHandled acks are counted and one BarDone goes back to the bar's source.
   */
  readonly barSubscribers?: Readonly<Record<string, readonly string[]>>;
  /** Journal actor: every decision is appended; alerts (state changes, kill switch) are sent too. */
  readonly journalPath?: string;
  /** Venue → symbol → increments and minimums; orders are checked against them (rules in checks.ts). */
  readonly instruments?: Readonly<Record<string, Readonly<Record<string, InstrumentRules>>>>;
  /** Venue → its own order limits, counted over that venue's orders and positions (beside the account's). */
  readonly venueLimits?: Readonly<Record<string, OrderLimits>>;
  /**
   * Several venues: strategy id → the venue it trades at. Its bars come only from that venue's adapter, and its
   * positions are flattened there. A strategy not listed trades at the first venue of `exchanges`.
   */
  readonly strategyVenues?: Readonly<Record<string, string>>;
  /**
   * Venue → does it place an order's bracket itself? When not, the guardian strips the bracket and manages the
   * exits (brackets.ts). Default: true, except for venues named "binance…" (Binance spot has no bracket for a
   * market entry, and would silently drop it).
   */
  readonly nativeBrackets?: Readonly<Record<string, boolean>>;
  /** What happens to a quarantined strategy's positions: "flatten" (default) or "keep" (strategy_status.ts). */
  readonly quarantinePolicy?: status.QuarantinePolicy;
  /** Strategy id → its capital: what `maxLoss` counts from (default: its first equity seen). */
  readonly strategyCapital?: Readonly<Record<string, number>>;
  /** Strategies the last run ended with disabled (from the journal, through the daemon). */
  readonly disabledStrategies?: Readonly<Record<string, status.DisabledRecord>>;
  /** Strategies added, changed, stopped or started in earlier runs, re-applied at the same bars (roster.ts). */
  readonly schedule?: roster.Schedule;
  /** The last bar the journal had at start: bars up to it are the replay of an earlier run (StatusIO.inReplay). */
  readonly replayUntil?: status.BarPos;
  /** Measure order latency on this actor's clock (live: the daemon's /metrics; latency.ts). */
  readonly measureLatency?: boolean;
}

export function hasNativeBrackets(config: RiskGuardianConfig, venue: string): boolean {
  return config.nativeBrackets?.[venue] ?? !venue.startsWith("binance");
}

export type RiskMessage =
  | SubmitOrder
  | Extract<ExchangeMessage, { type: "CancelOrder" | "CancelAll" }>
  | ModifyOrder
  | OrderEvent
  | {
    readonly type: "EquityUpdate";
    readonly equity: number;
    readonly ts: number;
    /** Equity per strategy (its capital plus its P&L), for the per-strategy loss stops. */
    readonly strategies?: Readonly<Record<string, number>>;
  }
  /**
   * Change limits while running (a number sets one, null removes it): validated as a whole, journaled, in force
   * from the next order. An ask gets LimitsSet or LimitsRejected back.
   */
  | {
    readonly type: "SetLimits";
    readonly scope: LimitScope;
    readonly limits: LimitPatch;
    readonly reason: string;
    /** Who asked (an operator, a token id), for the journal. */
    readonly by?: string;
  }
  | { readonly type: "MarkPrice"; readonly symbol: string; readonly price: number }
  | { readonly type: "KillSwitch"; readonly reason: string; readonly flatten?: boolean }
  | { readonly type: "SetTradingState"; readonly state: TradingState; readonly reason: string }
  | { readonly type: "GetRiskState" }
  | { readonly type: "Bar"; readonly bar: Bar }
  /** Live: ticks from the venue adapters, routed like bars but outside the lockstep (tick_flow.ts). */
  | { readonly type: "Tick"; readonly tick: Tick }
  | TickHandled
  | VenueInstruments
  | AdjustCapital
  | BarHandled
  | status.StrategyMessage
  | roster.RosterMessage;

interface Tracked {
  readonly owner: string;
  /** Replaced by a modify the checks passed. */
  order: OrderRequest;
  /** Filled so far (partial fills): what is left may still fill, and counts against the limits. */
  filled: number;
  /**
   * Modifies the venue has not answered yet, oldest first, each with the order as it was before it: the limits count
   * the largest of those and the order now (the venue may still hold any of them).
   */
  modifies?: { readonly modifyId: string; readonly before: OrderRequest; readonly changes: OrderChanges }[];
}

interface State {
  /** Changes when strategies join or leave while running (roster.ts). */
  config: RiskGuardianConfig;
  trading: TradingState;
  /** Limits in force: the config's, as changed by SetLimits since. */
  limits: RiskLimits;
  readonly strategyLimits: Record<string, StrategyLimits>;
  /** Orders at a venue, few at a time: an array (string-keyed Map inserts cost ~1 µs here; see the supervisor). */
  readonly open: Tracked[];
  readonly positions: Map<string, number>;
  /**
   * Position key → the venue its fills came from: where a flatten must go (optional: snapshots from before several
   * venues have none, and then the strategy's venue is used).
   */
  positionVenues?: Record<string, string>;
  readonly lastPrice: Map<string, number>;
  readonly owners: Map<string, string>;
  /** Clock times of the orders sent in the last minute, and whose they were (same index). */
  readonly recent: number[];
  readonly recentBy: string[];
  peakEquity: number;
  dayStartEquity: number;
  /** The last equity seen: the next day's starting equity when the day turns. */
  lastEquity: number;
  /** Per strategy: peak equity and the equity its loss counts from (loss stops, see `checkStrategyLosses`). */
  readonly strategyPeak: Record<string, number>;
  readonly strategyBase: Record<string, number>;
  /** Every strategy's last and peak equity, for the risk metrics (usage.ts). */
  readonly equityWatch: EquityWatch;
  day: number;
  killSeq: number;
  decisionSeq: number;
  /** Bars forwarded and not yet handled by every strategy waited for (lockstep.ts). */
  readonly barAcks: BarAcks;
  /** Per-strategy status: ACTIVE, STOPPED, QUARANTINED (strategy_status.ts). */
  readonly strategies: status.StrategyBook;
  /** The bar clock, and strategies joining, leaving or changing at a bar (roster.ts). */
  readonly roster: roster.Roster;
  /** Bar subscriber path → strategy id (from `owners`; a path that is no owner stands for itself). */
  readonly idByPath: Map<string, string>;
  readonly decisions: { ts: number; decision: string; detail: string }[];
  /** Order events and decisions by kind, for /metrics (optional: snapshots from before it have none). */
  counts?: Record<string, number>;
  /** Order latency histograms, when the config asks for them (latency.ts). */
  latency?: latency.OrderLatency;
  /** Ticks in flight to each strategy and the newest held back (optional: snapshots from before it have none). */
  ticks?: ticks.TickFlow;
  /** The config's own instruments, before the venues' resolved rules were merged in (see VenueInstruments). */
  configured?: RiskGuardianConfig["instruments"];
  /** Synthetic brackets by parent client order id (plain data: part of the snapshot). */
  readonly brackets: Record<string, SyntheticBracket>;
  /**
   * Exit ids the guardian asked to cancel, newest last (bounded): a venue's "unknown or closed order" answer
   * to one of them (the venue's own OCO got there first) is the guardian's business, not the strategy's.
   */
  readonly cancelsSent: string[];
}

const MAX_CANCELS_REMEMBERED = 256;

function findTracked(state: State, clientOrderId: string): Tracked | undefined {
  for (const t of state.open) if (t.order.clientOrderId === clientOrderId) return t;
  return undefined;
}

/** Adds or replaces the tracked order with this client order id (a replayed submit replaces, never doubles). */
function track(state: State, owner: string, order: OrderRequest): void {
  untrack(state, order.clientOrderId);
  state.open.push({ owner, order, filled: 0 });
}

/** The first venue: where strategies without a venue of their own trade. */
const defaultVenue = (config: RiskGuardianConfig) => Object.keys(config.exchanges)[0];

/** The venue a strategy trades at. */
function strategyVenue(config: RiskGuardianConfig, strategyId: string): string {
  return config.strategyVenues?.[strategyId] ?? defaultVenue(config);
}

/** Where a position is held: the venue its fills came from, else its strategy's venue. */
function venueOfPosition(state: State, k: string, strategyId: string): string {
  const venue = state.positionVenues?.[k];
  return venue !== undefined && state.config.exchanges[venue] !== undefined
    ? venue
    : strategyVenue(state.config, strategyId);
}

/**
 * The guardian's book as the checks see it (built per order; the open-order list only when a limit needs it).
 * `only`: the book of one venue (its positions, orders and order rate), for that venue's own limits.
 */
function riskView(state: State, venue: string, only?: string, except?: string): RiskView {
  return new GuardianView(state, venue, only, except);
}

/**
 * What the checks see, built for every order. A class, not an object literal: a literal with a getter (`open`, lazy
 * because most orders never look at it) is created through a slow runtime path, ~1.3 µs per order here.
 */
class GuardianView implements RiskView {
  readonly state: TradingState;
  #exposures: OpenExposure[] | undefined;
  readonly #guardian: State;
  readonly #venue: string;
  readonly #only: string | undefined;
  readonly #openOrders: Tracked[];

  constructor(guardian: State, venue: string, only: string | undefined, except: string | undefined) {
    this.state = guardian.trading;
    this.#guardian = guardian;
    this.#venue = venue;
    this.#only = only;
    // `except`: the order a modify replaces (the modified order is checked in its place).
    this.#openOrders = only === undefined && except === undefined
      ? guardian.open
      : guardian.open.filter((t) => (only === undefined || t.order.venue === only) && t.order.clientOrderId !== except);
  }

  #atVenue(strategyId: string, k?: string): boolean {
    const only = this.#only;
    return only === undefined ||
      (k !== undefined
          ? venueOfPosition(this.#guardian, k, strategyId)
          : strategyVenue(this.#guardian.config, strategyId)) ===
        only;
  }

  position(strategyId: string, symbol: string): number {
    return this.#only === undefined || this.#atVenue(strategyId, key(strategyId, symbol))
      ? positionOf(this.#guardian, strategyId, symbol)
      : 0;
  }

  *holdings(): Generator<{ strategyId: string; symbol: string; qty: number }> {
    for (const [k, qty] of this.#guardian.positions) {
      const cut = k.indexOf("\u0000");
      const strategyId = k.slice(0, cut);
      if (this.#atVenue(strategyId, k)) yield { strategyId, symbol: k.slice(cut + 1), qty };
    }
  }

  get open(): OpenExposure[] {
    return this.#exposures ??= this.#openOrders.map((t): OpenExposure => ({
      strategyId: t.order.strategyId,
      symbol: t.order.symbol,
      side: t.order.side,
      reduceOnly: t.order.reduceOnly === true,
      remaining: t.modifies
        ? t.modifies.reduce((n, m) => Math.max(n, openQuantity(m.before, t.filled)), openQuantity(t.order, t.filled))
        : openQuantity(t.order, t.filled),
      price: t.order.limitPrice ?? t.order.stopPrice ?? t.order.refPrice,
    }));
  }

  lastPrice(symbol: string): number | undefined {
    return this.#guardian.lastPrice.get(symbol);
  }

  multiplier(symbol: string): number {
    return this.#guardian.config.instruments?.[this.#venue]?.[symbol]?.multiplier || 1;
  }

  openOrders(strategyId?: string): number {
    if (strategyId === undefined) return this.#openOrders.length;
    let n = 0;
    for (const t of this.#openOrders) if (t.order.strategyId === strategyId) n++;
    return n;
  }

  recentOrders(strategyId?: string): number {
    const state = this.#guardian;
    if (strategyId === undefined && this.#only === undefined) return state.recent.length;
    let n = 0;
    for (const by of state.recentBy) if (strategyId === undefined ? this.#atVenue(by) : by === strategyId) n++;
    return n;
  }
}

/** The venue whose adapter is at `path` (undefined: not an adapter). */
function venueOfSender(config: RiskGuardianConfig, path: string | undefined): string | undefined {
  if (path === undefined) return undefined;
  for (const [venue, exchange] of Object.entries(config.exchanges)) if (exchange === path) return venue;
  return undefined;
}

function untrack(state: State, clientOrderId: string): void {
  const i = state.open.findIndex((t) => t.order.clientOrderId === clientOrderId);
  if (i >= 0) state.open.splice(i, 1);
}

const key = (strategyId: string, symbol: string) => `${strategyId}\u0000${symbol}`;

function parseConfig(raw: unknown, actor: string): RiskGuardianConfig {
  const c = (raw ?? {}) as Partial<RiskGuardianConfig>;
  if (!c.exchanges || Object.keys(c.exchanges).length === 0) {
    throw new ConfigError(actor, "exchanges", "needs at least one venue → exchange path");
  }
  const checkLimits = (limits: object | undefined, field: string) => {
    for (const [name, value] of Object.entries(limits ?? {})) {
      if (value === undefined) continue;
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new ConfigError(actor, `${field}.${name}`, `must be a non-negative number, got ${JSON.stringify(value)}`);
      }
    }
  };
  checkLimits(c.limits, "limits");
  for (const [id, limits] of Object.entries(c.strategyLimits ?? {})) checkLimits(limits, `strategyLimits.${id}`);
  if (c.initialState !== undefined && !["ACTIVE", "REDUCING", "HALTED"].includes(c.initialState)) {
    throw new ConfigError(actor, "initialState", `must be ACTIVE, REDUCING or HALTED, got ${c.initialState}`);
  }
  const policy = status.parseQuarantinePolicy(c.quarantinePolicy);
  if (policy !== "flatten" && policy !== "keep") throw new ConfigError(actor, "quarantinePolicy", policy);
  const restored = status.checkRestored(c.disabledStrategies);
  if (restored) throw new ConfigError(actor, "disabledStrategies", restored);
  const schedule = roster.checkSchedule(c.schedule);
  if (schedule) throw new ConfigError(actor, "schedule", schedule);
  return { ...c, limits: c.limits ?? {}, exchanges: c.exchanges, initialState: c.initialState ?? "ACTIVE" };
}

/** What one message's handling needs; built once per message instead of a closure per helper. */
interface Rx {
  readonly state: State;
  readonly ctx: ActorContext<RiskMessage>;
  readonly now: number;
}

function tally(state: State, kind: string): void {
  const counts = state.counts ??= {};
  counts[kind] = (counts[kind] ?? 0) + 1;
}

/** Records a decision; `extra` fields join the journaled payload (e.g. `strategy`, `limits`). */
function decide(rx: Rx, decision: string, detail: string, extra?: Record<string, unknown>): void {
  const { state, ctx, now } = rx;
  state.decisions.push({ ts: now, decision, detail });
  tally(state, `decision:${decision}`);
  if (state.decisions.length > 1_000) state.decisions.shift();
  const journal = state.config.journalPath;
  if (journal) {
    const eventId = `${ctx.path}:${now}:${++state.decisionSeq}`;
    // `at`: where on the bar clock it happened, so a restarted daemon can re-apply it at the same bar.
    const payload = { decision, detail, trading: state.trading, at: state.roster.at, ...extra };
    ctx.tell(journal, { type: "Append", events: [{ eventId, stream: "risk", type: decision, ts: now, payload }] });
  }
}

function alert(rx: Rx, level: "warn" | "error", message: string, fields: Record<string, unknown>): void {
  rx.ctx.log[level](message, fields);
  const journal = rx.state.config.journalPath;
  if (journal) rx.ctx.tell(journal, { type: "Alert", level, message, fields, ts: rx.now });
}

function setState(rx: Rx, next: TradingState, reason: string): void {
  const state = rx.state;
  if (state.trading === next) return;
  alert(rx, "warn", "trading state changed", { from: state.trading, to: next, reason });
  state.trading = next;
  decide(rx, `state:${next}`, reason);
}

function setLimits(rx: Rx, msg: Extract<RiskMessage, { type: "SetLimits" }>): void {
  const { state, ctx } = rx;
  const errors = validatePatch(msg.scope, msg.limits);
  if (typeof msg.reason !== "string" || msg.reason.trim() === "") errors.push("reason: required (it is journaled)");
  if (errors.length > 0) {
    ctx.log.warn("limit change refused", { errors });
    if (ctx.sender) ctx.reply({ type: "LimitsRejected", errors });
    return;
  }
  let limits: RiskLimits | StrategyLimits;
  if (msg.scope.kind === "account") limits = state.limits = applyPatch(state.limits, msg.limits);
  else {
    const id = msg.scope.strategyId;
    limits = state.strategyLimits[id] = applyPatch(state.strategyLimits[id] ?? {}, msg.limits);
  }
  const who = msg.by ? ` by ${msg.by}` : "";
  decide(rx, "limits", `${JSON.stringify(msg.scope)} ${JSON.stringify(limits)}${who}: ${msg.reason}`, {
    scope: msg.scope,
    patch: msg.limits,
    limits,
    by: msg.by,
  });
  alert(rx, "warn", "risk limits changed", { scope: msg.scope, limits, reason: msg.reason, by: msg.by });
  if (ctx.sender) ctx.reply({ type: "LimitsSet", scope: msg.scope, limits });
}

/**
 * Capital moved by a rebalance is no loss and no gain: the base a strategy's loss counts from and its peak move with
 * it, so maxLoss and maxDrawdown judge its trading only.
 */
function adjustCapital(state: State, id: string, delta: number): void {
  const capital = state.config.strategyCapital?.[id];
  if (capital !== undefined) {
    state.config = { ...state.config, strategyCapital: { ...state.config.strategyCapital, [id]: capital + delta } };
  }
  if (state.strategyBase[id] !== undefined) state.strategyBase[id] += delta;
  if (state.strategyPeak[id] !== undefined) state.strategyPeak[id] += delta;
}

/**
 * Per-strategy loss stops: a strategy that lost `maxLoss` from its capital, or fell `maxDrawdown` from its peak
 * equity, is STOPPED (its orders cancelled, its positions flattened) while the others trade on.
 */
function checkStrategyLosses(rx: Rx, equities: Readonly<Record<string, number>>): void {
  const state = rx.state;
  for (const [id, equity] of Object.entries(equities)) {
    const limits = state.strategyLimits[id];
    if (!limits || (limits.maxLoss === undefined && limits.maxDrawdown === undefined)) continue;
    if (state.strategies.disabled[id] || !Number.isFinite(equity)) continue;
    const base = state.config.strategyCapital?.[id] ?? (state.strategyBase[id] ??= equity);
    const peak = state.strategyPeak[id] = Math.max(state.strategyPeak[id] ?? base, equity);
    const loss = base - equity;
    const drawdown = peak > 0 ? 1 - equity / peak : 0;
    let reason: string | undefined;
    if (limits.maxLoss !== undefined && loss >= limits.maxLoss) {
      reason = `loss ${loss.toFixed(2)} ≥ maxLoss ${limits.maxLoss}`;
    } else if (limits.maxDrawdown !== undefined && drawdown >= limits.maxDrawdown) {
      reason = `drawdown ${(drawdown * 100).toFixed(2)}% ≥ maxDrawdown ${limits.maxDrawdown * 100}%`;
    }
    if (reason === undefined) continue;
    status.onStrategyMessage(
      state.strategies,
      statusIO(rx),
      { type: "DisableStrategy", strategyId: id, status: "STOPPED", reason, flatten: true },
      state.config.quarantinePolicy ?? "flatten",
    );
  }
}

/**
 * A reduce-only market order closing `position` (signed). The id carries the clock time (`tag`): such orders of
 * another run, after a restart, never reuse an id the venue has seen.
 */
function closingOrder(
  strategyId: string,
  venue: string,
  symbol: string,
  position: number,
  tag: string,
  now: number,
): OrderRequest {
  return {
    clientOrderId: `${strategyId}-${tag}`,
    strategyId,
    venue,
    symbol,
    side: position > 0 ? "sell" : "buy",
    type: "market",
    qty: Math.abs(position),
    tif: "GTC",
    reduceOnly: true,
    ts: now,
  };
}

function hasBrackets(state: State): boolean {
  for (const _ in state.brackets) return true;
  return false;
}

function positionOf(state: State, strategyId: string, symbol: string): number {
  return state.positions.get(key(strategyId, symbol)) ?? 0;
}

/** Exits bypass the checks: they only ever reduce a position the guardian saw filled. */
function runBracket(rx: Rx, b: SyntheticBracket): void {
  const state = rx.state;
  const step = state.config.instruments?.[b.venue]?.[b.symbol]?.stepSize ?? 0;
  const { actions, done } = planExits(b, positionOf(state, b.strategyId, b.symbol), rx.now, step);
  for (const action of actions) sendAction(rx, b, action);
  if (done) {
    delete state.brackets[b.parent];
    decide(rx, "bracket:done", b.parent);
  }
}

function sendAction(rx: Rx, b: SyntheticBracket, action: BracketAction): void {
  const { state, ctx } = rx;
  const exchange = state.config.exchanges[b.venue];
  switch (action.kind) {
    case "submit": {
      const o = action.order;
      track(state, b.owner, o);
      decide(rx, "bracket:place", `${o.clientOrderId}: ${o.type} ${o.side} ${o.qty} @ ${o.stopPrice ?? o.limitPrice}`);
      ctx.tell(exchange, { type: "SubmitOrder", order: o, replyTo: ctx.path });
      return;
    }
    case "cancel":
      state.cancelsSent.push(action.clientOrderId);
      if (state.cancelsSent.length > MAX_CANCELS_REMEMBERED) state.cancelsSent.shift();
      decide(rx, "bracket:cancel", action.clientOrderId);
      ctx.tell(exchange, {
        type: "CancelOrder",
        clientOrderId: action.clientOrderId,
        strategyId: action.strategyId,
        replyTo: ctx.path,
      });
      return;
  }
}

/**
 * A modify, checked like a new order (a modify is never a way around a limit):
 * - a resting order: the order with the changes in force passes every check `SubmitOrder` does, in place of the
 *   old one (which the view leaves out), and counts toward the order rate; until the venue answers, the limits
 *   count the larger of the old and the new order; a reduce-only order may not grow past the position it reduces;
 * - a trade (a bracket's filled entry) or a bracket entry: its exits' prices must be valid prices on the tick, in a
 *   trading state that accepts orders; exits only ever reduce, so the position limits do not apply to them (as to
 *   a new reduce-only order). Brackets the guardian manages (brackets.ts) are moved here, by cancel and replace;
 *   native ones by the venue;
 * - anything else (an unknown, filled or closed order, another strategy's) is refused.
 * A refusal is an OrderModifyRejected (denied) to the strategy, journaled; the order stays as it was.
 */
function modifyOrder(rx: Rx, msg: ModifyOrder): void {
  const { state, ctx, now } = rx;
  const { clientOrderId, strategyId, modifyId, changes } = msg;
  state.owners.set(strategyId, msg.replyTo);
  const deny = (reason: string) => {
    decide(rx, "modify:deny", `${clientOrderId}: ${reason}`, { strategy: strategyId, modifyId, changes });
    ctx.tell(msg.replyTo, {
      type: "OrderModifyRejected",
      clientOrderId,
      strategyId,
      modifyId,
      reason,
      denied: true,
      ts: now,
    });
  };
  const synthetic = state.brackets[clientOrderId];
  const tracked = msg.trade ? undefined : findTracked(state, clientOrderId);
  const exitParent = parentOf(clientOrderId);
  if (exitParent !== undefined && (state.brackets[exitParent] || !tracked)) {
    // A bracket's exit (the guardian's or the venue's): its size follows the position, its price moves with the trade.
    return deny(`${clientOrderId} is a bracket exit: modify { trade: "${exitParent}" }, { stopLoss, takeProfit }`);
  }
  const exitsOnly = changes.qty === undefined && changes.limitPrice === undefined && changes.stopPrice === undefined;
  if (synthetic && (msg.trade || exitsOnly)) {
    if (synthetic.strategyId !== strategyId) return deny(`modify: ${clientOrderId} is not an order of ${strategyId}`);
    const reason = exitPricesProblem(rx, synthetic.venue, synthetic.symbol, changes) ?? moveExits(synthetic, changes);
    if (reason) return deny(reason);
    decide(rx, "modify", `${clientOrderId}: exits ${JSON.stringify(changes)}`, { strategy: strategyId, modifyId });
    ctx.tell(msg.replyTo, { type: "OrderModified", clientOrderId, strategyId, modifyId, changes, ts: now });
    runBracket(rx, synthetic);
    return;
  }
  if (synthetic && (changes.stopLoss !== undefined || changes.takeProfit !== undefined)) {
    return deny("modify the entry and its exits in two modifies (the guardian manages this bracket)");
  }
  if (!tracked && !msg.trade && !exitsOnly) {
    return deny(`modify: ${clientOrderId} is not open (filled, closed or unknown)`);
  }
  if (!tracked) {
    // A trade whose exits the venue placed (native brackets): only their prices; the venue knows the rest.
    const venue = strategyVenue(state.config, strategyId);
    const exchange = state.config.exchanges[venue];
    const reason = !clientOrderId.startsWith(`${strategyId}-`)
      ? `modify: ${clientOrderId} is not an order of ${strategyId}`
      : tradeChangesProblem(changes) ??
        exitPricesProblem(rx, venue, undefined, changes);
    if (reason || !exchange) return deny(reason ?? `modify: unknown or closed order ${clientOrderId}`);
    decide(rx, "modify", `${clientOrderId}: trade ${JSON.stringify(changes)}`, { strategy: strategyId, modifyId });
    ctx.tell(exchange, { ...msg, trade: true, replyTo: ctx.path });
    return;
  }
  const old = tracked.order;
  if (old.strategyId !== strategyId) return deny(`modify: ${clientOrderId} is not an order of ${strategyId}`);
  const problem = changesProblem(old, changes, tracked.filled);
  if (problem) return deny(problem);
  const last = state.lastPrice.get(old.symbol);
  const wanted = { ...applyChanges(old, changes), ...(last !== undefined ? { refPrice: last } : {}) };
  if (state.strategies.watched > 0) {
    const reason = status.denial(state.strategies, wanted);
    if (reason) return deny(reason);
  }
  if (wanted.reduceOnly && changes.qty !== undefined && changes.qty > old.qty) {
    const position = positionOf(state, strategyId, old.symbol);
    const reducible = Math.sign(position) === (old.side === "buy" ? -1 : 1) ? Math.abs(position) : 0;
    if (changes.qty - tracked.filled > reducible) {
      return deny(`modify: reduce-only qty ${changes.qty} exceeds the position ${reducible} it can reduce`);
    }
  }
  while (state.recent.length > 0 && now - state.recent[0] >= 60_000) {
    state.recent.shift();
    state.recentBy.shift();
  }
  const rules = state.config.instruments?.[old.venue]?.[old.symbol];
  const venueLimits = state.config.venueLimits?.[old.venue];
  const verdict = checkOrder(
    wanted,
    state.limits,
    riskView(state, old.venue, undefined, clientOrderId),
    rules,
    state.strategyLimits[strategyId],
    venueLimits
      ? { venue: old.venue, limits: venueLimits, view: riskView(state, old.venue, old.venue, clientOrderId) }
      : undefined,
  );
  const exchange = state.config.exchanges[old.venue];
  if (verdict.kind === "deny") return deny(verdict.reason);
  if (!exchange) return deny(`no exchange configured for venue "${old.venue}"`);
  state.recent.push(now);
  state.recentBy.push(strategyId);
  const sent = changes.qty !== undefined && verdict.order.qty !== changes.qty
    ? { ...changes, qty: verdict.order.qty }
    : changes;
  (tracked.modifies ??= []).push({ modifyId, before: old, changes: sent });
  tracked.order = applyChanges(old, sent);
  decide(rx, "modify", `${clientOrderId}: ${JSON.stringify(sent)}`, { strategy: strategyId, modifyId });
  ctx.tell(exchange, { ...msg, changes: sent, replyTo: ctx.path });
}

/**
 * The venue answered a modify. Applied: it no longer counts. Refused: the venue kept the order as it was before it,
 * with the modifies sent after it applied on top (a venue takes them in order).
 */
function settleModify(tracked: Tracked, modifyId: string, applied: boolean): void {
  const list = tracked.modifies!;
  const i = list.findIndex((m) => m.modifyId === modifyId);
  if (i < 0) return;
  if (!applied) tracked.order = list.slice(i + 1).reduce((o, m) => applyChanges(o, m.changes), list[i].before);
  list.splice(i, 1);
  if (list.length === 0) delete tracked.modifies;
}

/** A bracket's new exit prices: finite, > 0, on the venue's tick; none while trading is HALTED. */
function exitPricesProblem(
  rx: Rx,
  venue: string,
  symbol: string | undefined,
  changes: ModifyOrder["changes"],
): string | undefined {
  if (rx.state.trading === "HALTED") return "trading is HALTED";
  const problem = tradeChangesProblem({ stopLoss: changes.stopLoss, takeProfit: changes.takeProfit });
  if (problem) return problem;
  const tick = symbol === undefined ? 0 : rx.state.config.instruments?.[venue]?.[symbol]?.tickSize ?? 0;
  for (const [name, price] of [["stop-loss", changes.stopLoss], ["take-profit", changes.takeProfit]] as const) {
    if (price !== undefined && tick > 0 && Math.abs(Math.round(price / tick) * tick - price) > tick * 1e-9) {
      return `${name} price ${price} is not a multiple of the tick size ${tick}`;
    }
  }
  return undefined;
}

/**
 * A tick goes to the strategies of its symbol at the venue it came from that are fed bars, at most one batch in
 * flight each (tick_flow.ts). It also freshens the price market orders are checked at.
 */
function forwardTick(rx: Rx, tick: Tick): void {
  const { state, ctx, now } = rx;
  state.lastPrice.set(tick.symbol, tick.price);
  const subscribers = state.config.barSubscribers?.[tick.symbol];
  if (!subscribers || subscribers.length === 0) return;
  const flow = state.ticks ??= ticks.createTickFlow();
  const from = state.config.strategyVenues ? venueOfSender(state.config, ctx.sender?.path) : undefined;
  for (const to of subscribers) {
    const id = state.idByPath.get(to) ?? to;
    if (from !== undefined && strategyVenue(state.config, id) !== from) continue;
    if (!status.isFed(state.strategies, id) || state.roster.paused[id]) continue;
    ticks.offer(flow, id, tick, now, (t) => ctx.tell(to, { type: "Tick", tick: t }));
  }
}

/**
 * A venue's resolved rules (IB's contract details) join the instruments orders are checked against; a field the
 * config gives for the symbol wins (an operator may be stricter than the venue).
 */
function mergeVenueRules(rx: Rx, msg: VenueInstruments): void {
  const { state } = rx;
  if (state.config.exchanges[msg.venue] === undefined) return;
  const configured = state.configured ??= state.config.instruments ?? {};
  const own = configured[msg.venue] ?? {};
  const merged: Record<string, InstrumentRules> = { ...own };
  for (const [symbol, rules] of Object.entries(msg.instruments)) merged[symbol] = { ...rules, ...own[symbol] };
  state.config = { ...state.config, instruments: { ...state.config.instruments, [msg.venue]: merged } };
  decide(rx, "instruments", `${msg.venue}: ${Object.keys(msg.instruments).join(", ")} resolved by the venue`);
}

/** Sends a strategy its held-back ticks (to its path: the strategy may have joined while running). */
function tickSender(rx: Rx, strategyId: string): (tick: Tick) => void {
  // A subscriber path that is no strategy's stands for itself (as in the bar path).
  const to = rx.state.config.owners?.[strategyId] ?? rx.state.owners.get(strategyId) ?? strategyId;
  return (tick) => rx.ctx.tell(to, { type: "Tick", tick });
}

function idsByPath(config: RiskGuardianConfig): Map<string, string> {
  return new Map(Object.entries(config.owners ?? {}).map(([id, path]) => [path, id]));
}

function denyOrder(rx: Rx, msg: SubmitOrder, reason: string): State {
  const order = msg.order;
  decide(rx, "deny", `${order.clientOrderId}: ${reason}`, { strategy: order.strategyId, order });
  rx.ctx.tell(msg.replyTo, {
    type: "OrderDenied",
    clientOrderId: order.clientOrderId,
    strategyId: order.strategyId,
    reason,
    ts: rx.now,
  });
  return rx.state;
}

/** What the strategy status rules may do here (strategy_status.ts). */
function statusIO(rx: Rx): status.StatusIO {
  const { state, ctx, now } = rx;
  return {
    now,
    known: (id) => state.owners.has(id),
    positions(id) {
      const out: [string, number][] = [];
      for (const [k, qty] of state.positions) {
        const [strategyId, symbol] = k.split("\u0000");
        if (strategyId === id && qty !== 0) out.push([symbol, qty]);
      }
      return out;
    },
    flattening: (id, symbol) =>
      state.open.some((t) => t.order.symbol === symbol && t.order.clientOrderId.startsWith(`${id}-flatten-`)),
    journal: (decision, detail, strategy) => decide(rx, decision, detail, { strategy }),
    alert: (level, message, fields) => alert(rx, level, message, fields),
    cancelAll(strategyId) {
      for (const exchange of new Set(Object.values(state.config.exchanges))) {
        ctx.tell(exchange, { type: "CancelAll", strategyId });
      }
    },
    flatten(strategyId, symbol, qty) {
      const venue = venueOfPosition(state, key(strategyId, symbol), strategyId);
      const order = closingOrder(strategyId, venue, symbol, qty, `flatten-${now}-${++state.killSeq}`, now);
      // A strategy left down by the runtime would only pile its events up: the guardian keeps them.
      const down = state.strategies.down[strategyId] === "quarantined";
      track(state, down ? ctx.path : state.owners.get(strategyId) ?? ctx.path, order);
      decide(rx, "strategy:flatten", `${order.clientOrderId}: ${order.side} ${order.qty} ${symbol}`);
      ctx.tell(state.config.exchanges[venue], { type: "SubmitOrder", order, replyTo: ctx.path });
    },
    release(strategyId) {
      for (const done of releaseStrategy(state.barAcks, strategyId)) {
        ctx.tell(done.source, { type: "BarDone", symbol: done.symbol, ts: done.ts });
      }
    },
    inReplay: (bar) => state.config.replayUntil !== undefined && !roster.isAfter(bar, state.config.replayUntil),
  };
}

/** A strategy joins, leaves or gets new parameters while running; the reply carries the bar clock position. */
function changeRoster(rx: Rx, msg: roster.RosterMessage): void {
  const { state, ctx } = rx;
  const id = msg.strategyId;
  const refuse = (error: string) => {
    ctx.log.warn("strategy change refused", { strategyId: id, error });
    if (ctx.sender) ctx.reply({ type: "RosterRefused", strategyId: id, error } satisfies roster.RosterReply);
  };
  const path = state.config.owners?.[id];
  const who = msg.by ? ` by ${msg.by}` : "";
  switch (msg.type) {
    case "AddStrategy":
      if (path !== undefined || state.owners.has(id)) return refuse(`strategy ${id} is already known here`);
      if (msg.venue !== undefined && state.config.exchanges[msg.venue] === undefined) {
        return refuse(`no exchange configured for venue "${msg.venue}"`);
      }
      state.config = roster.wiredIn(state.config, msg);
      roster.join(state.roster, id);
      state.owners.set(id, msg.path);
      state.idByPath.set(msg.path, id);
      if (msg.limits) state.strategyLimits[id] = { ...msg.limits };
      decide(rx, "strategy:added", `${id}${who}: ${msg.reason}`, {
        strategy: { strategyId: id, symbols: msg.symbols, ...(msg.venue !== undefined ? { venue: msg.venue } : {}) },
      });
      break;
    case "RemoveStrategy":
      if (path === undefined) return refuse(`strategy ${id} is not running here`);
      // Stopped first, as DisableStrategy would: its orders cancelled, its positions flattened if asked.
      status.onStrategyMessage(state.strategies, statusIO(rx), {
        type: "DisableStrategy",
        strategyId: id,
        status: "STOPPED",
        reason: `removed${who}: ${msg.reason}`,
        flatten: msg.flatten,
      }, state.config.quarantinePolicy ?? "flatten");
      // Its actor goes away: the events of its orders (cancels, flatten fills) stay here.
      for (let i = 0; i < state.open.length; i++) {
        if (state.open[i].order.strategyId === id) state.open[i] = { ...state.open[i], owner: ctx.path };
      }
      state.config = roster.wiredOut(state.config, id, path);
      state.owners.delete(id);
      state.idByPath.delete(path);
      roster.forget(state.roster, id);
      if (state.ticks) ticks.forget(state.ticks, id);
      decide(rx, "strategy:removed", `${id}${who}: ${msg.reason}`, {
        strategy: { strategyId: id, flatten: msg.flatten },
      });
      break;
    case "ReconfigureStrategy":
      if (path === undefined) return refuse(`strategy ${id} is not running here`);
      roster.reconfigure(state.roster, id, msg.params);
      decide(rx, "strategy:reconfigure", `${id}${who}: ${msg.reason}`, { strategy: { strategyId: id } });
      break;
  }
  const change = msg.type === "AddStrategy" ? "added" : msg.type === "RemoveStrategy" ? "removed" : "reconfigure";
  if (ctx.sender) {
    ctx.reply({ type: "RosterChanged", strategyId: id, change, at: state.roster.at } satisfies roster.RosterReply);
  }
}

export const riskGuardian: Behaviour<RiskMessage, State, RiskGuardianConfig> = {
  accepts: [
    "SubmitOrder",
    "CancelOrder",
    "ModifyOrder",
    "CancelAll",
    ...ORDER_EVENT_TYPES,
    "EquityUpdate",
    "SetLimits",
    "MarkPrice",
    "KillSwitch",
    "SetTradingState",
    "GetRiskState",
    "Bar",
    "Tick",
    "TickHandled",
    "VenueInstruments",
    "AdjustCapital",
    "BarHandled",
    "DisableStrategy",
    "EnableStrategy",
    "StrategyLifecycle",
    "AddStrategy",
    "RemoveStrategy",
    "ReconfigureStrategy",
  ],
  parseConfig,
  init: (config) => ({
    config,
    trading: config.initialState ?? "ACTIVE",
    limits: config.limits,
    strategyLimits: { ...config.strategyLimits },
    open: [],
    positions: new Map(),
    lastPrice: new Map(),
    owners: new Map(Object.entries(config.owners ?? {})),
    recent: [],
    recentBy: [],
    peakEquity: -Infinity,
    dayStartEquity: NaN,
    lastEquity: NaN,
    strategyPeak: {},
    strategyBase: {},
    equityWatch: {},
    day: -1,
    killSeq: 0,
    decisionSeq: 0,
    barAcks: new Map(),
    strategies: status.createBook(config.disabledStrategies),
    roster: roster.createRoster(config.schedule),
    idByPath: idsByPath(config),
    decisions: [],
    brackets: {},
    cancelsSent: [],
    ...(config.measureLatency ? { latency: latency.createLatency() } : {}),
  }),
  // Plain data (Maps clone): a restarted guardian keeps positions, open orders, brackets and its trading state.
  snapshot: (state) => state,
  restore: (snapshot) => {
    const s = snapshot as State;
    // Snapshots taken before synthetic brackets (or strategy statuses, or limit changes) existed lack those fields.
    return {
      ...s,
      brackets: s.brackets ?? {},
      cancelsSent: s.cancelsSent ?? [],
      recentBy: s.recentBy ?? s.recent.map(() => ""),
      limits: s.limits ?? s.config.limits,
      strategyLimits: s.strategyLimits ?? { ...s.config.strategyLimits },
      lastEquity: s.lastEquity ?? NaN,
      strategyPeak: s.strategyPeak ?? {},
      strategyBase: s.strategyBase ?? {},
      equityWatch: s.equityWatch ?? {},
      open: s.open.map((t) => ({ ...t, filled: t.filled ?? 0 })),
      strategies: s.strategies ?? status.createBook(s.config.disabledStrategies),
      roster: s.roster ?? roster.createRoster(s.config.schedule),
      idByPath: idsByPath(s.config),
      ...(s.config.measureLatency ? { latency: s.latency ?? latency.createLatency() } : {}),
    };
  },
  receive(state, msg, ctx) {
    const now = ctx.clock.now();
    const rx: Rx = { state, ctx, now };
    if (msg.type === "SubmitOrder" && state.strategies.watched > 0) {
      const reason = status.denial(state.strategies, msg.order);
      if (reason) return denyOrder(rx, msg, reason);
    }
    switch (msg.type) {
      case "SubmitOrder": {
        const order = msg.order;
        state.owners.set(order.strategyId, msg.replyTo);
        while (state.recent.length > 0 && now - state.recent[0] >= 60_000) {
          state.recent.shift();
          state.recentBy.shift();
        }
        const rules = state.config.instruments?.[order.venue]?.[order.symbol];
        const venueLimits = state.config.venueLimits?.[order.venue];
        const verdict = checkOrder(
          order,
          state.limits,
          riskView(state, order.venue),
          rules,
          state.strategyLimits[order.strategyId],
          venueLimits
            ? { venue: order.venue, limits: venueLimits, view: riskView(state, order.venue, order.venue) }
            : undefined,
        );
        const exchange = state.config.exchanges[order.venue];
        if (verdict.kind === "deny" || !exchange) {
          const denial = verdict.kind === "deny" ? verdict.reason : `no exchange configured for venue "${order.venue}"`;
          decide(rx, "deny", `${order.clientOrderId}: ${denial}`, { strategy: order.strategyId, order });
          ctx.tell(msg.replyTo, {
            type: "OrderDenied",
            clientOrderId: order.clientOrderId,
            strategyId: order.strategyId,
            reason: denial,
            ts: now,
          });
          return state;
        }
        state.recent.push(now);
        state.recentBy.push(order.strategyId);
        let sent = verdict.order;
        if (sent.qty !== order.qty) decide(rx, "snap", `${order.clientOrderId}: qty ${order.qty} → ${sent.qty}`);
        if (sent.bracket && !hasNativeBrackets(state.config, order.venue)) {
          // A re-sent entry (replay after a restart) keeps the bracket it has: its exits are not placed twice.
          state.brackets[sent.clientOrderId] ??= openBracket(sent, msg.replyTo);
          const { bracket: _, ...entry } = sent;
          sent = entry;
          decide(rx, "bracket:open", `${order.clientOrderId}: managed by the guardian at ${order.venue}`);
        }
        track(state, msg.replyTo, sent);
        if (state.latency) latency.orderSent(state.latency, sent, now);
        ctx.tell(exchange, { type: "SubmitOrder", order: sent, replyTo: ctx.path });
        return state;
      }
      case "CancelOrder": {
        const tracked = findTracked(state, msg.clientOrderId);
        const exchange = tracked ? state.config.exchanges[tracked.order.venue] : undefined;
        if (!exchange) {
          ctx.tell(msg.replyTo, {
            type: "OrderRejected",
            clientOrderId: msg.clientOrderId,
            strategyId: msg.strategyId,
            reason: "cancel: unknown or closed order",
            ts: now,
          });
          return state;
        }
        ctx.tell(exchange, { ...msg, replyTo: ctx.path });
        return state;
      }
      case "CancelAll":
        for (const exchange of new Set(Object.values(state.config.exchanges))) ctx.tell(exchange, msg);
        return state;
      case "ModifyOrder":
        modifyOrder(rx, msg);
        return state;
      case "MarkPrice":
        state.lastPrice.set(msg.symbol, msg.price);
        return state;
      case "AdjustCapital":
        adjustCapital(state, msg.strategyId, msg.delta);
        return state;
      case "EquityUpdate": {
        const limits = state.limits;
        // An account total not known yet (several venues, a quoted FX rate not seen): only the strategies' rules.
        if (!Number.isFinite(msg.equity)) {
          if (msg.strategies) {
            watchEquity(state.equityWatch, msg.strategies);
            checkStrategyLosses(rx, msg.strategies);
          }
          return state;
        }
        // The day's loss counts from the last equity of the day before (the overnight gap included, so a
        // daily bar's loss counts too); the very first update starts the first day.
        const day = Math.floor(msg.ts / 86_400_000);
        if (day !== state.day) {
          state.day = day;
          state.dayStartEquity = Number.isNaN(state.lastEquity) ? msg.equity : state.lastEquity;
        }
        state.lastEquity = msg.equity;
        state.peakEquity = Math.max(state.peakEquity, msg.equity);
        if (limits.dailyLossLimit !== undefined && state.dayStartEquity - msg.equity >= limits.dailyLossLimit) {
          setState(
            rx,
            "HALTED",
            `daily loss ${(state.dayStartEquity - msg.equity).toFixed(2)} ≥ ${limits.dailyLossLimit}`,
          );
        } else if (
          limits.maxDrawdown !== undefined && state.trading === "ACTIVE" &&
          1 - msg.equity / state.peakEquity >= limits.maxDrawdown
        ) {
          setState(
            rx,
            "REDUCING",
            `drawdown ${((1 - msg.equity / state.peakEquity) * 100).toFixed(2)}% ≥ ${limits.maxDrawdown * 100}%`,
          );
        }
        if (msg.strategies) {
          watchEquity(state.equityWatch, msg.strategies);
          checkStrategyLosses(rx, msg.strategies);
        }
        return state;
      }
      case "SetTradingState":
        setState(rx, msg.state, msg.reason);
        return state;
      case "SetLimits":
        setLimits(rx, msg);
        return state;
      case "KillSwitch": {
        setState(rx, "HALTED", `kill switch: ${msg.reason}`);
        // The CancelAll below takes the exits; the flatten closes what they protected.
        for (const parent of Object.keys(state.brackets)) {
          delete state.brackets[parent];
          decide(rx, "bracket:drop", `${parent}: kill switch`);
        }
        for (const exchange of new Set(Object.values(state.config.exchanges))) {
          ctx.tell(exchange, { type: "CancelAll" });
        }
        if (msg.flatten !== false) {
          for (const [k, qty] of state.positions) {
            if (qty === 0) continue;
            const [strategyId, symbol] = k.split("\u0000");
            // Each position is closed where it is held (every venue's, not the first venue's).
            const venue = venueOfPosition(state, k, strategyId);
            const order = closingOrder(strategyId, venue, symbol, qty, `kill-${now}-${++state.killSeq}`, now);
            const owner = state.owners.get(strategyId) ?? ctx.path;
            track(state, owner, order);
            ctx.tell(state.config.exchanges[venue], { type: "SubmitOrder", order, replyTo: ctx.path });
          }
        }
        decide(rx, "kill", msg.reason);
        alert(rx, "error", "kill switch", { reason: msg.reason, flatten: msg.flatten !== false });
        return state;
      }
      case "Bar": {
        const bar = msg.bar;
        state.lastPrice.set(bar.symbol, bar.close);
        if (state.latency) latency.barForwarded(state.latency, bar.symbol, bar.ts, now);
        const book = state.strategies;
        if (book.watched > 0) status.beforeBar(book, statusIO(rx), bar);
        const waiting: string[] = [];
        const changes = state.roster;
        // Several venues: a bar reaches only the strategies of the venue whose adapter sent it.
        const from = state.config.strategyVenues ? venueOfSender(state.config, ctx.sender?.path) : undefined;
        for (const to of state.config.barSubscribers?.[bar.symbol] ?? []) {
          const id = state.idByPath.get(to) ?? to;
          if (from !== undefined && strategyVenue(state.config, id) !== from) continue;
          if (!status.isFed(book, id)) continue;
          if (changes.watched > 0) {
            const reconfigure = (params: Readonly<Record<string, unknown>>) =>
              ctx.tell(to, { type: "Reconfigure", params });
            if (!roster.admit(changes, id, bar, reconfigure)) continue;
          }
          ctx.tell(to, msg);
          if (status.isAwaited(book, id)) waiting.push(id);
        }
        roster.tick(changes, bar);
        const source = ctx.sender?.path;
        if (source && !awaitBar(state.barAcks, source, bar.symbol, bar.ts, waiting)) {
          ctx.tell(source, { type: "BarDone", symbol: bar.symbol, ts: bar.ts });
        }
        return state;
      }
      case "Tick":
        forwardTick(rx, msg.tick);
        return state;
      case "VenueInstruments":
        mergeVenueRules(rx, msg);
        return state;
      case "TickHandled":
        if (state.ticks) ticks.handled(state.ticks, msg.strategyId, now, tickSender(rx, msg.strategyId));
        return state;
      case "BarHandled": {
        if (status.barHandled(state.strategies, msg.strategyId, msg)) {
          status.disableAgain(state.strategies, statusIO(rx), msg.strategyId);
        }
        const done = ackBar(state.barAcks, msg.strategyId, msg.symbol, msg.ts);
        // Sent after the commands the strategies sent for this bar (FIFO through here): they reach the venue first.
        if (done) ctx.tell(done.source, { type: "BarDone", symbol: done.symbol, ts: done.ts });
        return state;
      }
      case "DisableStrategy":
      case "EnableStrategy":
      case "StrategyLifecycle":
        // A crashed or quarantined strategy's actor never answers the ticks it had.
        if (msg.type === "StrategyLifecycle" && msg.phase !== "restarted" && state.ticks) {
          ticks.forget(state.ticks, msg.strategyId);
        }
        status.onStrategyMessage(state.strategies, statusIO(rx), msg, state.config.quarantinePolicy ?? "flatten");
        return state;
      case "AddStrategy":
      case "RemoveStrategy":
      case "ReconfigureStrategy":
        changeRoster(rx, msg);
        return state;
      case "GetRiskState": {
        const ids = [...Object.keys(state.config.owners ?? {}), ...state.owners.keys()];
        ctx.reply({
          type: "RiskState",
          trading: state.trading,
          limits: state.limits,
          strategyLimits: state.strategyLimits,
          openOrders: state.open.length,
          positions: [...state.positions.entries()].map(([k, qty]) => ({ key: k.replace("\u0000", "/"), qty })),
          decisions: state.decisions.slice(-50),
          counts: { ...state.counts },
          ...(state.latency ? { latency: latency.latencyReport(state.latency) } : {}),
          peakEquity: Number.isFinite(state.peakEquity) ? state.peakEquity : null,
          brackets: Object.values(state.brackets).map((b) => ({
            parent: b.parent,
            entryFilled: b.entryFilled,
            entryFinal: b.entryFinal,
            legs: structuredClone(b.legs),
          })),
          strategies: roster.reported(state.roster, status.report(state.strategies, ids)),
          // For the control API (usage.ts): each strategy's capital, exposure, drawdown and use of its limits.
          capital: state.config.strategyCapital ?? {},
          metrics: riskMetrics({
            view: riskView(state, Object.keys(state.config.exchanges)[0]),
            limits: state.limits,
            strategyLimits: state.strategyLimits,
            account: { last: state.lastEquity, peak: state.peakEquity, dayStart: state.dayStartEquity },
            strategies: state.equityWatch,
            base: (id) => state.config.strategyCapital?.[id] ?? state.strategyBase[id],
            recent: state.recent,
            recentBy: state.recentBy,
            now,
            ids,
          }),
        });
        return state;
      }
      default: {
        // Order events from a venue: track, then forward to the order's owner.
        const event = msg;
        if (event.type === "OrderSubmitted") return state;
        tally(state, event.type);
        const id = event.clientOrderId;
        if (state.latency && event.type !== "OrderCanceled" && event.type !== "OrderExpired") {
          latency.venueAnswered(state.latency, id, now);
        }
        const cancelled = event.type === "OrderRejected" ? state.cancelsSent.indexOf(id) : -1;
        if (cancelled >= 0) {
          // The answer to the guardian's own cancel of an exit: the exit's own events decide its fate.
          state.cancelsSent.splice(cancelled, 1);
          decide(rx, "bracket:cancel-refused", `${id}: ${(event as { reason: string }).reason}`);
          return state;
        }
        const tracked = findTracked(state, id);
        const fill = event.type === "OrderFilled" || event.type === "OrderPartiallyFilled" ? event.fill : undefined;
        if (fill) {
          const k = key(fill.strategyId, fill.symbol);
          state.positions.set(k, (state.positions.get(k) ?? 0) + (fill.side === "buy" ? fill.qty : -fill.qty));
          if (state.config.strategyVenues) (state.positionVenues ??= {})[k] = tracked?.order.venue ?? fill.venue;
          state.lastPrice.set(fill.symbol, fill.price);
        }
        if (event.type === "OrderPartiallyFilled" && tracked) tracked.filled = event.filledQty;
        if ((event.type === "OrderModified" || event.type === "OrderModifyRejected") && tracked?.modifies) {
          settleModify(tracked, event.modifyId, event.type === "OrderModified");
        }
        const final = event.type !== "OrderAccepted" && event.type !== "OrderPartiallyFilled" &&
          event.type !== "OrderModified" && event.type !== "OrderModifyRejected";
        if (final) untrack(state, id);
        const owner = tracked?.owner ?? state.owners.get(event.strategyId);
        if (owner && owner !== ctx.path) ctx.tell(owner, event);
        // Most events concern no synthetic bracket: skip the id lookups (dictionary keys built from fresh
        // strings are slow on this hot path) unless a bracket exists at all.
        if (!hasBrackets(state)) return state;
        const own = state.brackets[id] ?? state.brackets[parentOf(id) ?? ""];
        if (own && !applyBracketEvent(own, event)) {
          alert(rx, "error", "venue refused a bracket exit: no longer managed", {
            clientOrderId: id,
            reason: (event as { reason?: string }).reason,
          });
        }
        // A fill moves the position every bracket of that strategy and symbol is sized against.
        for (const b of Object.values(state.brackets)) {
          const affected = b === own ||
            (fill !== undefined && b.strategyId === fill.strategyId && b.symbol === fill.symbol);
          if (affected) runBracket(rx, b);
        }
        return state;
      }
    }
  },
};

export default riskGuardian;
