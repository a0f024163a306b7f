/**
 * The portfolio: cash, positions (average price, realised and unrealised P&L) and equity, per strategy and
 * in total, from fills and marks. It also keeps round trips (for the report) and, when asked to, an equity
 * point per bar time.
 */
import { type ActorContext, type Behaviour, ConfigError } from "../runtime/mod.ts";
import type { Bar, OrderEvent } from "../protocol/mod.ts";
import { applyFill, createLedger, equity, type Ledger, markPrice, unrealized } from "./ledger.ts";
import { closeAll, createRoundTrips, markRange, recordFill, type RoundTrips } from "./round_trips.ts";
import { type AllocationRun, type AllocationState, allocationStep, createAllocationState } from "./rebalance.ts";

export interface PortfolioConfig {
  /** Capital per strategy; the total is their sum. */
  readonly capital: Readonly<Record<string, number>>;
  /** Record equity at every EndOfBar (backtests); live records on demand. */
  readonly recordEquity: boolean;
  /**
   * Keep closed round trips for the record (default: as `recordEquity`). Live does not: nothing reads them there,
   * and the state is snapshotted after every message, so a list growing with every trade made each one slower.
   */
  readonly recordTrades?: boolean;
  /** With `recordEquity`: how many bars to expect, so the record is allocated once (it still grows past it). */
  readonly expectedBars?: number;
  /**
   * With `recordEquity`: the record's columns on SharedArrayBuffers, so the backtest hands them to the thread that
   * writes equity.csv without a copy. Only where the state is never snapshotted (a snapshot would share, not copy).
   */
  readonly sharedRecord?: boolean;
  /** Receive an EquityUpdate after each EndOfBar (the risk guardian's drawdown and loss limits). */
  readonly equitySubscribers?: readonly string[];
  /**
   * Backtests (backtesting.py's convention): when total equity falls to zero or below, the account is out of
   * money: open trades are closed at that bar's close (with this exit commission rate), equity is 0 from then
   * on, and `haltTo` (the risk guardian) is told to halt trading.
   */
  readonly liquidateAtZeroEquity?: { readonly exitCommissionRate: number; readonly haltTo?: string };
  /**
   * Strategies that joined while an earlier run was trading: their capital joins the account at the first bar after
   * `after` (the risk guardian's bar clock when they were added; null: from the first bar), as it did then.
   */
  readonly joining?: Readonly<Record<string, { readonly capital: number; readonly after: JoinPos }>>;
  /**
   * Move capital between the strategies to target weights (allocation.ts), at a bar's close after its equity point;
   * the moves are recorded (per-strategy flows) and told to `notify` and each strategy's supervisor.
   */
  readonly allocation?: AllocationRun;
  /** Several venues: balances per venue (each in its currency) and the account's total in a base currency. */
  readonly venues?: VenuesConfig;
}

/** The venues of a multi-venue daemon, as the portfolio books them. */
export interface VenuesConfig {
  /** Venue → the currency its account is in. */
  readonly currencies: Readonly<Record<string, string>>;
  /** Strategy id → its venue; a strategy not listed (added while running) is at `defaultVenue`. */
  readonly strategyVenues: Readonly<Record<string, string>>;
  readonly defaultVenue: string;
  /** The base currency, fixed rates, and symbols whose last price is a rate (1 unit = rate × base). */
  readonly fx: {
    readonly base: string;
    readonly rates: Readonly<Record<string, number>>;
    readonly symbols: Readonly<Record<string, string>>;
  };
}

/** A position on the bar clock (bars ordered by time, then symbol); null: before the first bar. */
type JoinPos = { readonly symbol: string; readonly ts: number } | null;

interface Joining {
  readonly strategyId: string;
  readonly capital: number;
  readonly after: JoinPos;
  /** Several venues: the venue whose account it joins (absent: its configured venue, else the default). */
  readonly venue?: string;
}

export type PortfolioMessage =
  | Extract<OrderEvent, { type: "OrderFilled" | "OrderPartiallyFilled" }>
  | { readonly type: "Bar"; readonly bar: Bar }
  /** Every bar of one bar time at once, then the equity point: one message per step in a backtest. */
  | { readonly type: "MarkToMarket"; readonly ts: number; readonly bars: readonly Bar[] }
  | { readonly type: "EndOfBar"; readonly ts: number }
  | { readonly type: "GetPortfolio" }
  /**
   * The next fills and MarkToMarket belong to the last recorded bar again (its equity point is replaced):
   * how a backtest closes trades still open at the end, on the last bar (backtesting.py's finalize_trades).
   */
  | { readonly type: "ReopenLastBar" }
  /** A strategy added while running: its capital joins at the first bar after `after` (see `joining`). */
  | {
    readonly type: "AddStrategyCapital";
    readonly strategyId: string;
    readonly capital: number;
    readonly after: JoinPos;
    readonly venue?: string;
  }
  | { readonly type: "GetRecord" };

export interface PortfolioRecord {
  readonly type: "PortfolioRecord";
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  readonly perStrategy: Record<string, Float64Array>;
  /** Notional each strategy traded (its ledger's turnover). */
  readonly perStrategyTurnover: Record<string, number>;
  /** With an allocation: capital moved to (+) or from (−) each strategy after each bar's equity point. */
  readonly perStrategyFlows?: Record<string, Float64Array>;
  /** With an allocation: the bar times of its rebalances. */
  readonly rebalances?: readonly number[];
  readonly trades: RoundTrips["closed"];
  readonly openTrades: number;
  readonly commissions: number;
  readonly turnover: number;
}

interface StrategyBook {
  readonly ledger: Ledger;
  readonly trips: RoundTrips;
  equity: Float64Array;
  /** Capital moved in (+) or out (−) after each bar's point (recorded with an allocation). */
  flows?: Float64Array;
}

interface State {
  readonly config: PortfolioConfig;
  readonly total: Ledger;
  readonly strategies: Map<string, StrategyBook>;
  bars: number;
  ts: Float64Array;
  equity: Float64Array;
  bust: boolean;
  alloc?: AllocationState;
  /** Capital still to join, and the last bar seen (live bars only). */
  joining?: Joining[];
  lastBar?: { readonly symbol: string; readonly ts: number };
  /** Several venues: each venue's ledger (in its currency), and the last price of each symbol that is an FX rate. */
  venueBooks?: Map<string, Ledger>;
  fxPrices?: Map<string, number>;
  /** Several venues: the venue of each strategy added while running (the config's `strategyVenues` has the rest). */
  addedVenues?: Record<string, string>;
}

/** The ledger a fill books into: the venue it came from, else its strategy's venue. */
function venueBook(state: State, venue: string | undefined, strategyId: string): Ledger | undefined {
  const books = state.venueBooks;
  const cfg = state.config.venues;
  if (!books || !cfg) return undefined;
  return (venue !== undefined ? books.get(venue) : undefined) ??
    books.get(cfg.strategyVenues[strategyId] ?? state.addedVenues?.[strategyId] ?? cfg.defaultVenue);
}

/** 1 unit of a venue currency in the base currency: 1, a fixed rate, the last price of its symbol, or NaN (none yet). */
function rateOf(state: State, currency: string): number {
  const fx = state.config.venues!.fx;
  if (currency === fx.base) return 1;
  const fixed = fx.rates[currency];
  if (fixed !== undefined) return fixed;
  const symbol = fx.symbols[currency];
  return (symbol !== undefined ? state.fxPrices?.get(symbol) : undefined) ?? NaN;
}

/** The account's equity in the base currency: every venue's equity at its rate (NaN while a quoted rate is unseen). */
function baseEquity(state: State): number {
  let sum = 0;
  for (const [venue, ledger] of state.venueBooks!) {
    sum += equity(ledger) * rateOf(state, state.config.venues!.currencies[venue]);
  }
  return sum;
}

const isAfter = (bar: { symbol: string; ts: number }, pos: JoinPos) =>
  pos === null || bar.ts > pos.ts || (bar.ts === pos.ts && bar.symbol > pos.symbol);

function join(state: State, j: Joining): void {
  const book = state.strategies.get(j.strategyId);
  // A fill may have come first (an order sent from the strategy's init): its ledger exists, with no capital yet.
  if (book) book.ledger.balance += j.capital;
  else {
    state.strategies.set(j.strategyId, {
      ledger: createLedger(j.capital),
      trips: createRoundTrips(),
      equity: column(state.config, state.equity.length),
    });
  }
  state.total.balance += j.capital;
  if (j.venue !== undefined && state.venueBooks?.has(j.venue)) (state.addedVenues ??= {})[j.strategyId] = j.venue;
  const atVenue = venueBook(state, undefined, j.strategyId);
  if (atVenue) atVenue.balance += j.capital;
}

/** Before a live bar is marked: the capital due at it joins. */
function joinDue(state: State, bar: Bar): void {
  const joining = state.joining!;
  for (let i = 0; i < joining.length;) {
    if (isAfter(bar, joining[i].after)) join(state, joining.splice(i, 1)[0]);
    else i++;
  }
}

/** A record column of `n` bars: on a SharedArrayBuffer when the config asks (`sharedRecord`). */
function column(config: PortfolioConfig, n: number): Float64Array {
  return config.sharedRecord ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
}

function grow(a: Float64Array, n: number): Float64Array {
  if (n < a.length) return a;
  // Past the expected count (or without one): doubling keeps appends amortised O(1).
  const next = new Float64Array(Math.max(1024, a.length * 2));
  next.set(a);
  return next;
}

/** The strategy books as an array, cached beside the state (which stays plain data) and rebuilt by count. */
const bookLists = new WeakMap<Map<string, StrategyBook>, StrategyBook[]>();
// The last map asked about (one portfolio per run, asked twice a bar): an identity check before the WeakMap.
let lastBooks: Map<string, StrategyBook> | undefined, lastBookList: StrategyBook[] = [];
function booksOf(state: State): StrategyBook[] {
  if (state.strategies === lastBooks && lastBookList.length === state.strategies.size) return lastBookList;
  let list = bookLists.get(state.strategies);
  if (list === undefined || list.length !== state.strategies.size) {
    list = [...state.strategies.values()];
    bookLists.set(state.strategies, list);
  }
  lastBooks = state.strategies;
  lastBookList = list;
  return list;
}

function mark(state: State, b: Bar): void {
  markPrice(state.total, b.symbol, b.close);
  if (state.venueBooks) {
    for (const ledger of state.venueBooks.values()) markPrice(ledger, b.symbol, b.close);
    if (Object.values(state.config.venues!.fx.symbols).includes(b.symbol)) state.fxPrices!.set(b.symbol, b.close);
  }
  for (const book of booksOf(state)) {
    markPrice(book.ledger, b.symbol, b.close);
    markRange(book.trips, b.symbol, b.low, b.high);
  }
}

function liquidate(
  state: State,
  msg: { readonly ts: number; readonly bars: readonly Bar[] },
  ctx: ActorContext<PortfolioMessage>,
): void {
  const rule = state.config.liquidateAtZeroEquity!;
  state.bust = true;
  const prices = new Map(msg.bars.map((b) => [b.symbol, b.close]));
  for (const [id, book] of state.strategies) {
    closeAll(
      book.trips,
      id,
      prices,
      msg.ts,
      state.bars,
      (qty, price) => Math.abs(qty) * price * rule.exitCommissionRate,
      (symbol) => book.ledger.holdings.get(symbol)?.multiplier ?? 1,
    );
  }
  ctx.log.warn("equity fell to zero: positions liquidated, trading halted", { ts: msg.ts });
  if (rule.haltTo) {
    ctx.tell(rule.haltTo, { type: "SetTradingState", state: "HALTED", reason: "out of money (equity ≤ 0)" });
  }
}

function endOfBar(state: State, ts: number, ctx: ActorContext<PortfolioMessage>): void {
  if (state.config.recordEquity) {
    const i = state.bars;
    state.ts = grow(state.ts, i);
    state.equity = grow(state.equity, i);
    state.ts[i] = ts;
    state.equity[i] = state.bust ? 0 : equity(state.total);
    for (const s of booksOf(state)) {
      s.equity = grow(s.equity, i);
      s.equity[i] = state.bust ? 0 : equity(s.ledger);
    }
  }
  if (state.config.allocation && state.alloc && !state.bust) rebalance(state, ts, ctx);
  state.bars++;
  const subscribers = state.config.equitySubscribers!;
  if (subscribers.length > 0) {
    const strategies: Record<string, number> = {};
    for (const [id, s] of state.strategies) strategies[id] = state.bust ? 0 : equity(s.ledger);
    // Several venues: the account's equity is told in the base currency (NaN until every quoted rate is seen).
    const total = state.venueBooks ? baseEquity(state) : equity(state.total);
    const update = { type: "EquityUpdate", equity: total, ts: ts, strategies };
    for (const to of subscribers) ctx.tell(to, update);
  }
}

/** Moves capital to the allocation's target weights when a rebalance is due (rebalance.ts). */
function rebalance(state: State, ts: number, ctx: ActorContext<PortfolioMessage>): void {
  const config = state.config.allocation!;
  const books = config.ids.map((id) => state.strategies.get(id));
  if (books.some((b) => b === undefined)) return;
  const leverage = config.leverage ?? 1;
  const margin = (l: Ledger) => {
    let used = 0;
    for (const h of l.holdings.values()) used += Math.abs(h.qty) * h.lastPrice * h.multiplier / leverage;
    return used;
  };
  const moves = allocationStep(
    config,
    state.alloc!,
    ts,
    books.map((b) => equity(b!.ledger)),
    books.map((b) => margin(b!.ledger)),
  );
  for (const move of moves) {
    const book = state.strategies.get(move.strategyId)!;
    book.ledger.balance += move.delta;
    if (state.config.recordEquity) {
      book.flows = grow(book.flows ?? new Float64Array(state.equity.length), state.bars);
      book.flows[state.bars] += move.delta;
    }
    const msg = { type: "AdjustCapital", strategyId: move.strategyId, delta: move.delta };
    for (const to of config.notify) ctx.tell(to, msg);
    const own = config.strategyPaths[move.strategyId];
    if (own) ctx.tell(own, msg);
  }
}

export const portfolio: Behaviour<PortfolioMessage, State, PortfolioConfig> = {
  accepts: [
    "OrderFilled",
    "OrderPartiallyFilled",
    "Bar",
    "MarkToMarket",
    "EndOfBar",
    "ReopenLastBar",
    "AddStrategyCapital",
    "GetPortfolio",
    "GetRecord",
  ],
  parseConfig(raw, actor) {
    const c = (raw ?? {}) as Partial<PortfolioConfig>;
    const capital = c.capital ?? {};
    for (const [id, value] of Object.entries(capital)) {
      if (!(typeof value === "number" && value > 0)) {
        throw new ConfigError(actor, `capital.${id}`, `must be > 0, got ${value}`);
      }
    }
    const expected = c.expectedBars;
    if (expected !== undefined && !(Number.isSafeInteger(expected) && expected >= 0)) {
      throw new ConfigError(actor, "expectedBars", `must be an integer ≥ 0, got ${expected}`);
    }
    return {
      capital,
      recordEquity: c.recordEquity ?? false,
      ...(c.expectedBars !== undefined ? { expectedBars: c.expectedBars } : {}),
      ...(c.sharedRecord ? { sharedRecord: true } : {}),
      recordTrades: c.recordTrades ?? c.recordEquity ?? false,
      equitySubscribers: c.equitySubscribers ?? [],
      ...(c.liquidateAtZeroEquity ? { liquidateAtZeroEquity: c.liquidateAtZeroEquity } : {}),
      ...(c.joining ? { joining: c.joining } : {}),
      ...(c.venues ? { venues: c.venues } : {}),
      ...(c.allocation ? { allocation: c.allocation } : {}),
    };
  },
  init(config) {
    const total = Object.values(config.capital).reduce((a, b) => a + b, 0);
    const capacity = config.recordEquity ? Math.max(1, config.expectedBars ?? 1024) : 1024;
    const strategies = new Map(
      Object.entries(config.capital).map(([id, cash]) => [
        id,
        { ledger: createLedger(cash), trips: createRoundTrips(), equity: column(config, capacity) },
      ]),
    );
    const venues = config.venues;
    const venueBooks = venues
      ? new Map(
        Object.keys(venues.currencies).map((venue) => {
          let cash = 0;
          for (const [id, capital] of Object.entries(config.capital)) {
            if ((venues.strategyVenues[id] ?? venues.defaultVenue) === venue) cash += capital;
          }
          return [venue, createLedger(cash)];
        }),
      )
      : undefined;
    return {
      ...(venueBooks ? { venueBooks, fxPrices: new Map() } : {}),
      config,
      total: createLedger(total),
      strategies,
      bars: 0,
      ts: column(config, capacity),
      equity: column(config, capacity),
      bust: false,
      joining: Object.entries(config.joining ?? {}).map(([strategyId, j]) => ({ strategyId, ...j })),
      ...(config.allocation ? { alloc: createAllocationState(config.allocation) } : {}),
    };
  },
  // Plain data (Maps and typed arrays clone): a restarted portfolio keeps its ledgers.
  snapshot: (state) => state,
  restore: (snapshot) => snapshot as State,
  receive(state, msg, ctx) {
    switch (msg.type) {
      case "OrderFilled":
      case "OrderPartiallyFilled": {
        const f = msg.fill;
        const signed = f.side === "buy" ? f.qty : -f.qty;
        const m = f.multiplier ?? 1;
        applyFill(state.total, f.symbol, signed, f.price, f.commission, f.ts, m);
        let s = state.strategies.get(f.strategyId);
        if (!s) {
          s = { ledger: createLedger(0), trips: createRoundTrips(), equity: column(state.config, state.equity.length) };
          state.strategies.set(f.strategyId, s);
        }
        applyFill(s.ledger, f.symbol, signed, f.price, f.commission, f.ts, m);
        const atVenue = venueBook(state, f.venue, f.strategyId);
        if (atVenue) applyFill(atVenue, f.symbol, signed, f.price, f.commission, f.ts, m);
        // A fill at a bar's close carries that (already recorded) bar's time: it belongs to that bar.
        const bar = state.bars > 0 && state.ts[state.bars - 1] === f.ts ? state.bars - 1 : state.bars;
        if (state.config.recordTrades) {
          recordFill(s.trips, f.strategyId, f.symbol, signed, f.price, f.commission, f.ts, bar, m);
        }
        return state;
      }
      case "Bar":
        if (state.joining && state.joining.length > 0) joinDue(state, msg.bar);
        state.lastBar = { symbol: msg.bar.symbol, ts: msg.bar.ts };
        mark(state, msg.bar);
        return state;
      case "AddStrategyCapital": {
        const j = {
          strategyId: msg.strategyId,
          capital: msg.capital,
          after: msg.after,
          ...(msg.venue !== undefined ? { venue: msg.venue } : {}),
        };
        // Already past that bar (the feed ran ahead of the guardian's reply): it joins now.
        if (state.lastBar && isAfter(state.lastBar, msg.after)) join(state, j);
        else (state.joining ??= []).push(j);
        return state;
      }
      case "MarkToMarket":
        for (const bar of msg.bars) mark(state, bar);
        if (state.config.liquidateAtZeroEquity && !state.bust && equity(state.total) <= 0) liquidate(state, msg, ctx);
        endOfBar(state, msg.ts, ctx);
        return state;
      case "EndOfBar":
        endOfBar(state, msg.ts, ctx);
        return state;
      case "GetPortfolio": {
        const view = (l: Ledger) => ({
          balance: l.balance,
          equity: equity(l),
          unrealized: unrealized(l),
          commissions: l.commissions,
          positions: [...l.holdings.entries()].filter(([, h]) => h.qty !== 0).map(([symbol, h]) => ({
            symbol,
            qty: h.qty,
            avgPrice: h.avgPrice,
            lastPrice: h.lastPrice,
            unrealized: h.qty * (h.lastPrice - h.avgPrice) * h.multiplier,
            realized: h.realized,
          })),
        });
        const venues = state.config.venues;
        ctx.reply({
          type: "Portfolio",
          total: view(state.total),
          strategies: Object.fromEntries([...state.strategies].map(([id, s]) => [id, view(s.ledger)])),
          // Several venues: each venue's books in its currency, and the account's equity in the base currency.
          ...(venues && state.venueBooks
            ? {
              venues: Object.fromEntries(
                [...state.venueBooks].map(([name, l]) => {
                  const currency = venues.currencies[name];
                  const rate = rateOf(state, currency);
                  return [name, { ...view(l), currency, rate: Number.isFinite(rate) ? rate : null }];
                }),
              ),
              base: {
                currency: venues.fx.base,
                equity: Number.isFinite(baseEquity(state)) ? baseEquity(state) : null,
              },
            }
            : {}),
        });
        return state;
      }
      case "ReopenLastBar":
        if (state.bars > 0) state.bars--;
        return state;
      case "GetRecord": {
        const n = state.bars;
        // Full arrays (a backtest allocates exactly its bars, and asks at its end) are handed over, not copied: at
        // millions of bars a copy would double the record at the run's memory peak.
        const upTo = (a: Float64Array) => a.length === n ? a : a.slice(0, n);
        const record: PortfolioRecord = {
          type: "PortfolioRecord",
          ts: upTo(state.ts),
          equity: upTo(state.equity),
          perStrategy: Object.fromEntries([...state.strategies].map(([id, s]) => [id, upTo(s.equity)])),
          perStrategyTurnover: Object.fromEntries([...state.strategies].map(([id, s]) => [id, s.ledger.turnover])),
          ...(state.config.allocation
            ? {
              perStrategyFlows: Object.fromEntries(
                [...state.strategies].map(([id, s]) => {
                  // Grown on its own (from the first move): copied into a column of the record's length.
                  const column = new Float64Array(n);
                  if (s.flows) column.set(s.flows.subarray(0, Math.min(n, s.flows.length)));
                  return [id, column];
                }),
              ),
              rebalances: [...(state.alloc?.at ?? [])],
            }
            : {}),
          trades: [...state.strategies.values()].flatMap((s) => s.trips.closed),
          openTrades: [...state.strategies.values()].reduce(
            (sum, s) => sum + [...s.trips.open.values()].reduce((a, lots) => a + lots.length, 0),
            0,
          ),
          commissions: state.total.commissions,
          turnover: state.total.turnover,
        };
        ctx.reply(record);
        return state;
      }
    }
  },
};

export default portfolio;
