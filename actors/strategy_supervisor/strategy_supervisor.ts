/**
 * One supervisor per strategy: loads the strategy module, feeds it bars and order events, turns its
 * intents into commands (deterministic client order ids: `${strategyId}-${n}`) sent to the risk guardian,
 * and keeps the strategy's own positions and cash from its fills. A restart restores the snapshot, or
 * re-initialises the strategy and replays its history window to warm indicators up (intents discarded).
 */
import { type ActorContext, type Behaviour, ConfigError, errorText } from "../runtime/mod.ts";
import {
  type AdjustCapital,
  type Bar,
  isTimeframe,
  ORDER_EVENT_TYPES,
  type OrderEvent,
  type Tick,
  type Timeframe,
  TIMEFRAME_MS,
} from "../protocol/mod.ts";
import {
  type AnyStrategy,
  cancelAll,
  close,
  type Intent,
  type Intents,
  type OrderView,
  type StrategyContext,
} from "../../strategies/api.ts";
import { validateParams } from "../../strategies/params.ts";
import { createKellyBook, type KellyBook, kellyFraction, recordFill } from "../../strategies/kelly.ts";
import { applyFill, createLedger, equity, type Ledger, markPrice, positionOf } from "../portfolio/ledger.ts";
import { type BarRing, barsOf, createBarRing, type RingColumns } from "./history.ts";
import {
  addBaseBar,
  createHigherTimeframe,
  type HigherColumns,
  higherColumns,
  type HigherTimeframe,
  higherTimeframes,
  restoreHigher,
} from "./timeframes.ts";
import { type Command, type IntentEnv, toCommands } from "./intents.ts";
import {
  type BracketBook,
  bracketEvent,
  bracketModifySent,
  bracketSubmitted,
  createBracketBook,
  unchangedBracket,
} from "./bracket_views.ts";

export interface StrategySupervisorConfig {
  readonly strategyId: string;
  /** Module URL of the strategy definition, and its export (default "default"). */
  readonly module: string;
  readonly export?: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly venue: string;
  /** Where commands go: the risk guardian. */
  readonly riskPath: string;
  readonly capital: number;
  readonly steps?: Readonly<Record<string, number>>;
  readonly ticks?: Readonly<Record<string, number>>;
  readonly defaultStep?: number;
  /** Live: after each bar, tell `riskPath` BarHandled (after the bar's commands): the lockstep bar clock. */
  readonly ackBars?: boolean;
  /** Live: after each tick, tell `riskPath` TickHandled, so it sends the next (risk_guardian/tick_flow.ts). */
  readonly ackTicks?: boolean;
}

export type StrategySupervisorMessage =
  | { readonly type: "Bar"; readonly bar: Bar }
  | { readonly type: "Tick"; readonly tick: Tick }
  | OrderEvent
  | { readonly type: "StopStrategy" }
  /** Cancel this strategy's orders and close its positions at market (end of a backtest, operator action). */
  | { readonly type: "Flatten" }
  /** New parameters from an operator, between two bars: the strategy restarts with them (see `reconfigure`). */
  | { readonly type: "Reconfigure"; readonly params: Readonly<Record<string, unknown>> }
  /** Capital moved by the portfolio's allocation: the strategy's cash (and so its equity and sizing) follows. */
  | AdjustCapital
  | { readonly type: "GetStrategyState" };

/** Mutable on purpose: updated in place on every order event (no object spread on the order path). */
interface OpenOrder {
  clientOrderId: string;
  symbol: string;
  side: "buy" | "sell";
  type: string;
  qty: number;
  filledQty: number;
  limitPrice?: number;
  stopPrice?: number;
  status: OrderView["status"];
  signedRemaining: number;
}

interface State {
  /** Its params change on Reconfigure. */
  config: StrategySupervisorConfig;
  readonly def: AnyStrategy;
  user: unknown;
  readonly ledger: Ledger;
  /** Its closed trades' wins and losses, for ctx.kellyFraction. */
  kelly: KellyBook;
  readonly history: Map<string, BarRing>;
  /** Per symbol, the higher timeframes the strategy declared (`timeframes`), built from the base bars. */
  higher: Map<string, HigherTimeframe[]>;
  /**
   * Open orders, few at a time: an array searched linearly. A Map keyed by fresh client order ids cost about
   * a microsecond per insert here (measured), on the path of every order.
   */
  readonly orders: OpenOrder[];
  /** Last tick per symbol (bars keep their own closes in `history`). */
  readonly last: Map<string, { price: number; ts: number }>;
  seq: number;
  /** Set once the strategy submits an order with a bracket (see `emit`). */
  usedBrackets: boolean;
  /** Its bracket orders, for `ctx.brackets()` (bracket_views.ts). */
  brackets: BracketBook;
  stopped: boolean;
  readonly sctx: StrategyContext;
  readonly env: IntentEnv;
  /** While true (warm-up replay), intents are dropped. */
  muted: boolean;
  /** The actor context of the message being handled (commands are sent through it). */
  actx: ActorContext<StrategySupervisorMessage>;
}

interface Snapshot {
  readonly seq: number;
  readonly ledger: { balance: number; commissions: number; turnover: number; holdings: [string, unknown][] };
  readonly kelly?: KellyBook;
  readonly orders: OpenOrder[];
  readonly usedBrackets?: boolean;
  readonly brackets?: BracketBook;
  /** The history windows as columns (a few typed-array copies, not one object per remembered bar). */
  readonly history: RingColumns[];
  /** The higher timeframes' windows and the bucket each was filling. */
  readonly higher?: HigherColumns[];
  readonly user?: unknown;
  /** The parameters in force (they differ from the config's after a Reconfigure). */
  readonly params?: Readonly<Record<string, unknown>>;
}

function parseConfig(raw: unknown, actor: string): StrategySupervisorConfig {
  const c = raw as Partial<StrategySupervisorConfig> | undefined;
  const need = (field: keyof StrategySupervisorConfig, ok: boolean, why: string) => {
    if (!ok) throw new ConfigError(actor, field, why);
  };
  need("strategyId", typeof c?.strategyId === "string" && c.strategyId.length > 0, "required");
  need("module", typeof c?.module === "string", "required (module URL of the strategy)");
  need("symbols", Array.isArray(c?.symbols) && c!.symbols.length > 0, "needs at least one symbol");
  need("timeframe", typeof c?.timeframe === "string" && isTimeframe(c.timeframe), `unknown timeframe ${c?.timeframe}`);
  need("riskPath", typeof c?.riskPath === "string", "required");
  need("capital", typeof c?.capital === "number" && c.capital > 0, `must be > 0, got ${c?.capital}`);
  return { venue: "sim", ...c } as StrategySupervisorConfig;
}

async function loadStrategy(config: StrategySupervisorConfig): Promise<AnyStrategy> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(config.module);
  } catch (err) {
    throw new Error(`cannot load strategy module ${config.module}: ${errorText(err)}`);
  }
  const def = mod[config.export ?? "default"] as AnyStrategy | undefined;
  if (!def || typeof def.init !== "function" || typeof def.params !== "object") {
    throw new Error(`${config.module} has no strategy export "${config.export ?? "default"}" (use defineStrategy)`);
  }
  return def;
}

function emit(state: State, intents: Intents): void {
  if (!intents || state.muted || state.stopped) return;
  const list = Array.isArray(intents) ? intents : [intents as Exclude<Intents, readonly unknown[]>];
  for (const intent of list) {
    if (!intent) continue;
    // Nothing this strategy placed can be open: skip the round trip through risk and venue. Brackets are the
    // exception (their exits are placed by the venue or the risk guardian, not here), so once a strategy has
    // used one, every cancel-all goes out.
    if (
      intent.type === "cancelAll" && !state.usedBrackets &&
      !state.orders.some((o) => intent.symbol === undefined || o.symbol === intent.symbol)
    ) {
      continue;
    }
    for (const command of toCommands(state.env, intent)) send(state, command);
  }
}

/** The last known price: a tick newer than the last bar, else the last bar's close (NaN before any). */
function lastPriceOf(state: State, symbol: string): number {
  const ring = state.history.get(symbol);
  const tick = state.last.get(symbol);
  if (tick !== undefined && (!ring || ring.length === 0 || tick.ts >= ring.time(0))) return tick.price;
  return ring && ring.length > 0 ? ring.close(0) : NaN;
}

function findOrder(state: State, clientOrderId: string): OpenOrder | undefined {
  for (const o of state.orders) if (o.clientOrderId === clientOrderId) return o;
  return undefined;
}

function removeOrder(state: State, clientOrderId: string): void {
  const i = state.orders.findIndex((o) => o.clientOrderId === clientOrderId);
  if (i >= 0) state.orders.splice(i, 1);
}

function send(state: State, command: Command): void {
  if (command.type === "SubmitOrder") {
    const o = command.order;
    if (o.bracket) {
      state.usedBrackets = true;
      bracketSubmitted(state.brackets, o);
    }
    const view: OpenOrder = {
      clientOrderId: o.clientOrderId,
      symbol: o.symbol,
      side: o.side,
      type: o.type,
      qty: o.qty,
      filledQty: 0,
      status: "pending",
      signedRemaining: o.sizing ? 0 : (o.side === "buy" ? o.qty : -o.qty),
    };
    if (o.limitPrice !== undefined) view.limitPrice = o.limitPrice;
    if (o.stopPrice !== undefined) view.stopPrice = o.stopPrice;
    state.orders.push(view);
  } else if (command.type === "ModifyOrder") {
    // A trailing stop asks every bar; a stop that snaps to where it is already costs the venue nothing.
    if (unchangedBracket(state.brackets, command)) return;
    bracketModifySent(state.brackets, command);
  }
  state.actx.tell(state.config.riskPath, command);
}

function build(
  config: StrategySupervisorConfig,
  def: AnyStrategy,
  actx: ActorContext<StrategySupervisorMessage>,
): State {
  const params = validateParams(def.name ?? config.strategyId, def.params, config.params, def.constraint);
  const historySize = def.historySize ?? 500;
  const history = new Map(config.symbols.map((s) => [s, createBarRing(s, config.timeframe, historySize)]));
  const state = {
    config,
    def,
    user: undefined,
    ledger: createLedger(config.capital),
    kelly: createKellyBook(),
    history,
    higher: freshHigher(config, def),
    orders: [],
    last: new Map(),
    seq: 0,
    usedBrackets: false,
    brackets: createBracketBook(),
    stopped: false,
    muted: false,
    actx,
  } as unknown as State;
  const symbolOf = (symbol?: string) => symbol ?? config.symbols[0];
  const sctx: StrategyContext = {
    strategyId: config.strategyId,
    params,
    get now() {
      return state.actx.clock.now();
    },
    symbol: config.symbols[0],
    symbols: config.symbols,
    position: (symbol) => positionOf(state.ledger, symbolOf(symbol)),
    avgPrice: (symbol) => state.ledger.holdings.get(symbolOf(symbol))?.avgPrice ?? NaN,
    get equity() {
      return equity(state.ledger);
    },
    get cash() {
      return state.ledger.balance;
    },
    history(symbol, timeframe) {
      const ring = history.get(symbolOf(symbol));
      if (!ring) throw new Error(`strategy ${config.strategyId} is not subscribed to ${symbol}`);
      if (timeframe === undefined || timeframe === config.timeframe) return ring;
      const higher = state.higher.get(symbolOf(symbol))?.find((h) => h.timeframe === timeframe);
      if (!higher) {
        throw new Error(
          `strategy ${config.strategyId} reads ${timeframe} bars without declaring them: add ` +
            `timeframes: [${JSON.stringify(timeframe)}] to its definition (it runs on ${config.timeframe} bars)`,
        );
      }
      return higher.ring;
    },
    openOrders: (symbol) =>
      state.orders.filter((o) => symbol === undefined || o.symbol === symbol).map((o) => ({ ...o })),
    brackets: (symbol) =>
      state.brackets.views.filter((b) => symbol === undefined || b.symbol === symbol).map((b) => ({ ...b })),
    kellyFraction: (options) => kellyFraction(state.kelly, options?.cap ?? 1),
    random: () => state.actx.random(),
    get log() {
      return state.actx.log;
    },
  };
  const env: IntentEnv = {
    strategyId: config.strategyId,
    venue: config.venue,
    get self() {
      return state.actx.path;
    },
    get now() {
      return state.actx.clock.now();
    },
    defaultSymbol: config.symbols[0],
    position: (symbol) => positionOf(state.ledger, symbol),
    pending(symbol) {
      let sum = 0;
      for (const o of state.orders) if (o.symbol === symbol) sum += o.signedRemaining;
      return sum;
    },
    lastPrice: (symbol) => lastPriceOf(state, symbol),
    step: (symbol) => config.steps?.[symbol] ?? config.defaultStep ?? 1,
    tick: (symbol) => config.ticks?.[symbol] ?? 0,
    nextOrderId: () => `${config.strategyId}-${++state.seq}`,
    nextModifyId: (target) => `${target}~${++state.seq}`,
    symbolOf: (id) => findOrder(state, id)?.symbol ?? state.brackets.views.find((b) => b.parent === id)?.symbol,
  };
  Object.assign(state, { sctx, env });
  return state;
}

/** Per symbol, empty rings of the strategy's higher timeframes (checked against the base timeframe). */
function freshHigher(config: StrategySupervisorConfig, def: AnyStrategy): Map<string, HigherTimeframe[]> {
  const tfs = higherTimeframes(def.name ?? config.strategyId, config.timeframe, def.timeframes);
  const size = def.historySize ?? 500;
  // None declared (most strategies): an empty map, so a bar costs one failed lookup, not a loop per symbol.
  if (tfs.length === 0) return new Map();
  return new Map(config.symbols.map((s) => [s, tfs.map((tf) => createHigherTimeframe(s, tf, size))]));
}

function onBar(state: State, bar: Bar): void {
  const ring = state.history.get(bar.symbol);
  if (!ring) return;
  const higher = state.higher.get(bar.symbol);
  if (higher) { for (const h of higher) addBaseBar(h, bar, TIMEFRAME_MS[state.config.timeframe]); }
  ring.push(bar);
  markPrice(state.ledger, bar.symbol, bar.close);
  if (state.def.onBar) emit(state, state.def.onBar(state.user, bar, state.sctx));
}

function onOrderEvent(state: State, event: OrderEvent): void {
  const order = event.type === "OrderSubmitted" ? undefined : findOrder(state, event.clientOrderId);
  switch (event.type) {
    case "OrderSubmitted":
      break;
    case "OrderAccepted":
      if (order) order.status = "accepted";
      break;
    case "OrderPartiallyFilled":
    case "OrderFilled": {
      const f = event.fill;
      const signed = f.side === "buy" ? f.qty : -f.qty;
      const before = positionOf(state.ledger, f.symbol);
      const realized = applyFill(state.ledger, f.symbol, signed, f.price, f.commission, f.ts);
      recordFill(state.kelly, f.symbol, before, signed, f.commission, realized);
      const last = lastPriceOf(state, f.symbol);
      markPrice(state.ledger, f.symbol, Number.isNaN(last) ? f.price : last);
      if (event.type === "OrderFilled") removeOrder(state, event.clientOrderId);
      else if (order) {
        order.filledQty = event.filledQty;
        order.status = "partially_filled";
        order.signedRemaining = order.signedRemaining === 0 ? 0 : Math.sign(signed) * event.leavesQty;
      }
      if (state.def.onOrderFilled) emit(state, state.def.onOrderFilled(state.user, f, state.sctx));
      break;
    }
    case "OrderModified":
      if (order) {
        const c = event.changes;
        if (c.limitPrice !== undefined) order.limitPrice = c.limitPrice;
        if (c.stopPrice !== undefined) order.stopPrice = c.stopPrice;
        if (c.qty !== undefined) {
          order.qty = c.qty;
          if (order.signedRemaining !== 0) {
            order.signedRemaining = Math.sign(order.signedRemaining) * (c.qty - order.filledQty);
          }
        }
      }
      break;
    case "OrderModifyRejected":
      state.actx.log.warn("modify refused", { clientOrderId: event.clientOrderId, reason: event.reason });
      break;
    case "OrderRejected":
    case "OrderDenied":
    case "OrderCanceled":
    case "OrderExpired":
      removeOrder(state, event.clientOrderId);
      if (event.type !== "OrderCanceled" && event.type !== "OrderExpired") {
        state.actx.log.warn(`order ${event.type === "OrderDenied" ? "denied" : "rejected"}`, {
          clientOrderId: event.clientOrderId,
          reason: event.reason,
        });
      }
      break;
  }
  bracketEvent(state.brackets, event, (symbol) => positionOf(state.ledger, symbol));
  if (state.def.onOrderEvent) emit(state, state.def.onOrderEvent(state.user, event, state.sctx));
}

/**
 * The strategy restarts with new parameters. What the venue knows stays as it is: positions, cash, open orders and
 * the order sequence (ids are never reused). The strategy's own state is rebuilt: init with the new parameters,
 * then the remembered bars replayed without trading, as after a restart without a strategy snapshot. Parameters
 * that fail the schema change nothing (the daemon checked them before sending).
 */
function reconfigure(state: State, raw: Readonly<Record<string, unknown>>): void {
  const { def, config } = state;
  let params;
  try {
    params = validateParams(def.name ?? config.strategyId, def.params, raw, def.constraint);
  } catch (err) {
    state.actx.log.error("new parameters refused; the strategy keeps its own", { error: errorText(err) });
    return;
  }
  const bars = barsOf([...state.history.values()].map((ring) => ring.columns()));
  state.config = { ...config, params: raw };
  (state.sctx as { params: unknown }).params = params;
  for (const symbol of config.symbols) {
    state.history.set(symbol, createBarRing(symbol, config.timeframe, def.historySize ?? 500));
  }
  // The higher timeframes are data, not strategy state: rebuilt while the strategy warms up, then kept as they were.
  const kept = state.higher;
  state.higher = freshHigher(config, def);
  state.user = def.init(state.sctx);
  state.muted = true;
  for (const bar of bars) onBar(state, bar);
  state.muted = false;
  state.higher = kept;
  state.actx.log.info("strategy restarted with new parameters", { params: raw, warmBars: bars.length });
}

export const strategySupervisor: Behaviour<StrategySupervisorMessage, State, StrategySupervisorConfig> = {
  accepts: [
    "Bar",
    "Tick",
    ...ORDER_EVENT_TYPES,
    "StopStrategy",
    "Flatten",
    "Reconfigure",
    "AdjustCapital",
    "GetStrategyState",
  ],
  parseConfig,
  async init(config, actx) {
    const def = await loadStrategy(config);
    const state = build(config, def, actx);
    state.user = def.init(state.sctx);
    if (def.onStart) emit(state, def.onStart(state.user, state.sctx));
    return state;
  },
  receive(state, msg, actx) {
    state.actx = actx;
    switch (msg.type) {
      case "Bar":
        onBar(state, msg.bar);
        if (state.config.ackBars) {
          const { symbol, ts } = msg.bar;
          actx.tell(state.config.riskPath, { type: "BarHandled", strategyId: state.config.strategyId, symbol, ts });
        }
        return state;
      case "Tick":
        state.last.set(msg.tick.symbol, { price: msg.tick.price, ts: msg.tick.ts });
        if (state.def.onTick) emit(state, state.def.onTick(state.user, msg.tick, state.sctx));
        if (state.config.ackTicks) {
          actx.tell(state.config.riskPath, {
            type: "TickHandled",
            strategyId: state.config.strategyId,
            symbol: msg.tick.symbol,
          });
        }
        return state;
      case "Flatten": {
        const intents: Intent[] = [cancelAll()];
        for (const [symbol, h] of state.ledger.holdings) if (h.qty !== 0) intents.push(close(symbol));
        emit(state, intents);
        return state;
      }
      case "Reconfigure":
        reconfigure(state, msg.params);
        return state;
      case "AdjustCapital":
        if (msg.strategyId === state.config.strategyId) state.ledger.balance += msg.delta;
        return state;
      case "StopStrategy":
        if (state.def.onStop) emit(state, state.def.onStop(state.user, state.sctx));
        state.stopped = true;
        return state;
      case "GetStrategyState": {
        const positions = [...state.ledger.holdings.entries()].map(([symbol, h]) => ({ symbol, ...h }));
        actx.reply({
          type: "StrategyState",
          strategyId: state.config.strategyId,
          equity: equity(state.ledger),
          balance: state.ledger.balance,
          positions,
          openOrders: state.orders,
          brackets: state.brackets.views,
          orderSeq: state.seq,
        });
        return state;
      }
      default:
        onOrderEvent(state, msg);
        return state;
    }
  },
  snapshot(state): Snapshot {
    return {
      seq: state.seq,
      ledger: {
        balance: state.ledger.balance,
        commissions: state.ledger.commissions,
        turnover: state.ledger.turnover,
        holdings: [...state.ledger.holdings.entries()].map(([k, h]) => [k, { ...h }]),
      },
      kelly: { ...state.kelly, entryFee: { ...state.kelly.entryFee } },
      orders: state.orders.map((o) => ({ ...o })),
      usedBrackets: state.usedBrackets,
      // Snapshots are taken after every message live: an empty book is not worth a clone.
      ...(state.brackets.views.length + state.brackets.pending.length > 0
        ? { brackets: structuredClone(state.brackets) }
        : {}),
      history: [...state.history.values()].map((ring) => ring.columns()),
      higher: [...state.higher.values()].flat().map(higherColumns),
      ...(state.def.snapshot ? { user: state.def.snapshot(state.user) } : {}),
      ...(state.config.params ? { params: state.config.params } : {}),
    };
  },
  async restore(raw, config, actx) {
    const snap = raw as Snapshot;
    const bars = barsOf(snap.history);
    const def = await loadStrategy(config);
    const state = build(snap.params ? { ...config, params: snap.params } : config, def, actx);
    state.seq = snap.seq;
    state.ledger.balance = snap.ledger.balance;
    state.ledger.commissions = snap.ledger.commissions;
    state.ledger.turnover = snap.ledger.turnover;
    if (snap.kelly) state.kelly = { ...snap.kelly, entryFee: { ...snap.kelly.entryFee } };
    for (const [k, h] of snap.ledger.holdings) state.ledger.holdings.set(k, { ...(h as object) } as never);
    for (const o of snap.orders) state.orders.push({ ...o });
    state.usedBrackets = snap.usedBrackets ?? true; // an older snapshot: assume brackets, never skip a cancel
    if (snap.brackets) state.brackets = structuredClone(snap.brackets);
    if (snap.user !== undefined && def.restore) {
      state.user = def.restore(snap.user, state.sctx);
      for (const bar of bars) state.history.get(bar.symbol)?.push(bar);
    } else {
      // No strategy snapshot: warm indicators up on the remembered bars, without trading.
      state.user = def.init(state.sctx);
      state.muted = true;
      for (const bar of bars) onBar(state, bar);
      state.muted = false;
    }
    // The higher timeframes exactly as they were (the base window may be too short to rebuild them).
    if (snap.higher) {
      const size = def.historySize ?? 500;
      const declared = new Set([...state.higher.values()].flat().map((h) => `${h.symbol} ${h.timeframe}`));
      const restored = new Map<string, HigherTimeframe[]>();
      for (const saved of snap.higher) {
        const { symbol, timeframe } = saved.columns;
        if (!declared.has(`${symbol} ${timeframe}`)) continue; // no longer declared by the strategy
        restored.set(symbol, [...(restored.get(symbol) ?? []), restoreHigher(saved, size)]);
      }
      for (const [symbol, list] of state.higher) {
        state.higher.set(symbol, list.map((h) => restored.get(symbol)?.find((r) => r.timeframe === h.timeframe) ?? h));
      }
    }
    return state;
  },
};

export default strategySupervisor;
