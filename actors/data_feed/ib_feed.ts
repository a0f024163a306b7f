/**
 * The Interactive Brokers feed: realtime 5-second bars (reqRealTimeBars) aggregated to the strategies' timeframe and
 * sent to the venue adapter as `Bar` messages, closed bars only, exactly as the replay and Binance feeds send them;
 * optionally top-of-book ticks (reqMktData) as `Tick` messages.
 *
 * ```json
 * "feed": { "type": "ib", "symbols": ["AAPL"], "timeframe": "1m", "port": 7497, "clientId": 2 }
 * ```
 * (the contracts come from the IB venue's symbol table; the feed needs its own client id).
 *
 * - Per symbol, bars go out in time order and at most once (the last emitted open time is in the snapshot; after a
 *   process restart, the last bar the adapter journaled: `resumeFrom`, set by the live tree).
 * - The first bucket after each (re)subscription began before it: that bar, and any bars missed while
 *   disconnected, come from reqHistoricalData (history.ts, pacing handled) before realtime bars resume.
 * - The socket's loss reconnects with backoff; 1101 (IB restored, data lost) resubscribes; 1100/1102 need nothing.
 * - Ticks: delivered to the adapter (last price for venue-sized orders, the control API's tap), which passes them to
 *   the risk guardian, which routes them to the strategies' `onTick` (risk_guardian/tick_flow.ts).
 */
import { EventName } from "@stoqey/ib";
import { type ActorContext, assertNever, type Behaviour, ConfigError } from "../runtime/mod.ts";
import { type Bar, isTimeframe, type Tick, type Timeframe, TIMEFRAME_MS } from "../protocol/mod.ts";
import { connect, type Connected, listen, type Listener } from "../exchange/ib/connection.ts";
import { type ContractSpec, parseSpec, toContract } from "../exchange/ib/mapping.ts";
import { type Aggregator, createAggregator, type FiveSecondBar } from "./ib/aggregate.ts";
import { lastJournaledBars, type ResumeFrom } from "./binance/resume.ts";
import { fetchIbBars, maxSpanMs, whatToShow } from "./ib/history.ts";

export interface IbFeedConfig {
  readonly symbols: Readonly<Record<string, ContractSpec>>;
  readonly timeframe: Timeframe;
  readonly target: string;
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  readonly ticks: boolean;
  readonly timeoutMs: number;
  readonly backoff: { readonly minMs: number; readonly maxMs: number };
  readonly pacingBackoffMs: number;
  /** The adapter's journal: where to resume without a snapshot (a process restart). */
  readonly resumeFrom?: ResumeFrom;
}

export type IbFeedMessage =
  | { readonly type: "FeedConnect" }
  | { readonly type: "Realtime"; readonly symbol: string; readonly bar: FiveSecondBar; readonly epoch: number }
  | { readonly type: "Backfilled"; readonly symbol: string; readonly bars: readonly Bar[]; readonly epoch: number }
  | { readonly type: "FeedDown"; readonly reason: string; readonly epoch: number }
  | { readonly type: "GetFeedState" };

interface State {
  readonly config: IbFeedConfig;
  readonly last: Map<string, number>;
  aggregators: Map<string, Aggregator>;
  /** Symbols waiting for a backfill: their realtime bars queue behind it. */
  readonly held: Map<string, Bar[]>;
  /** A range asked for while a backfill ran: fetched right after it, the queue still held. */
  readonly more: Map<string, { from: number; until: number }>;
  conn: Connected | undefined;
  offs: (() => void)[];
  failures: number;
  /** Bumped per connection: messages from an older one are stale. */
  epoch: number;
}

interface Snapshot {
  readonly last: Readonly<Record<string, number>>;
}

export function parseIbFeedConfig(raw: unknown, actor: string): IbFeedConfig {
  const c = (raw ?? {}) as Record<string, unknown>;
  const table = (c.symbols ?? {}) as Record<string, unknown>;
  if (typeof table !== "object" || Object.keys(table).length === 0) {
    throw new ConfigError(actor, "symbols", 'needs the symbol table, e.g. {"AAPL": {"secType": "STK"}}');
  }
  const symbols: Record<string, ContractSpec> = {};
  for (const [ours, spec] of Object.entries(table)) {
    const parsed = parseSpec(ours, spec);
    if (typeof parsed === "string") throw new ConfigError(actor, `symbols.${ours}`, parsed);
    symbols[ours] = parsed;
  }
  const timeframe = c.timeframe ?? "1m";
  if (typeof timeframe !== "string" || !isTimeframe(timeframe) || TIMEFRAME_MS[timeframe] < 60_000) {
    throw new ConfigError(actor, "timeframe", `unknown timeframe ${JSON.stringify(timeframe)}`);
  }
  if (typeof c.target !== "string" || c.target.length === 0) {
    throw new ConfigError(actor, "target", "required (the venue adapter's path)");
  }
  const n = (field: string, fallback: number) => {
    const v = c[field] ?? fallback;
    if (typeof v !== "number" || !Number.isFinite(v) || v < 0) {
      throw new ConfigError(actor, field, `must be a non-negative number, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const backoff = (c.backoff ?? {}) as Record<string, number>;
  const resume = c.resumeFrom as Partial<ResumeFrom> | undefined;
  if (resume !== undefined && (typeof resume?.db !== "string" || typeof resume.stream !== "string")) {
    throw new ConfigError(actor, "resumeFrom", "needs { db, stream } (the adapter's journal)");
  }
  return {
    symbols,
    timeframe,
    target: c.target,
    host: typeof c.host === "string" ? c.host : "127.0.0.1",
    port: n("port", 7497),
    clientId: n("clientId", 2),
    ticks: c.ticks === true,
    timeoutMs: n("timeoutMs", 10_000),
    backoff: { minMs: backoff.minMs ?? 200, maxMs: backoff.maxMs ?? 10_000 },
    pacingBackoffMs: n("pacingBackoffMs", 15_000),
    ...(resume ? { resumeFrom: { db: resume.db!, stream: resume.stream! } } : {}),
  };
}

function disconnect(state: State): void {
  for (const off of state.offs) off();
  state.offs = [];
  if (state.conn?.api.isConnected) state.conn.api.disconnect();
  state.conn = undefined;
}

function scheduleReconnect(state: State, ctx: ActorContext<IbFeedMessage>, reason: string): void {
  disconnect(state);
  state.failures++;
  const { minMs, maxMs } = state.config.backoff;
  const delay = Math.min(maxMs, minMs * 2 ** Math.min(20, state.failures - 1));
  ctx.log.warn("IB feed disconnected; reconnecting", { reason, retryInMs: delay });
  ctx.schedule("connect", delay, { type: "FeedConnect" });
}

async function open(state: State, ctx: ActorContext<IbFeedMessage>): Promise<void> {
  const c = state.config;
  const conn = await connect({ ...c, maxReqPerSec: 40 });
  const epoch = ++state.epoch;
  state.conn = conn;
  state.failures = 0;
  state.aggregators = new Map();
  // Backfills of the previous connection are void, and so are the bars queued behind them: this connection's
  // backfill (from the last bar sent) covers both, in order.
  state.held.clear();
  state.more.clear();
  const bySymbol = new Map<number, string>();
  const book = new Map<string, { bid?: number; ask?: number; last?: number }>();
  const on = (event: EventName, fn: Listener) => state.offs.push(listen(conn.api, event, fn));
  on(EventName.disconnected, () => ctx.tell(ctx.self, { type: "FeedDown", reason: "socket closed", epoch }));
  on(EventName.info, (_m: string, code: number) => {
    if (code === 1101) ctx.tell(ctx.self, { type: "FeedDown", reason: "IB restored, data lost (1101)", epoch });
  });
  on(EventName.realtimeBar, (reqId: number, time: number, o: number, h: number, l: number, cl: number, v: number) => {
    const symbol = bySymbol.get(reqId);
    if (!symbol) return;
    const bar = { ts: time * 1000, open: o, high: h, low: l, close: cl, volume: Math.max(0, v ?? 0) };
    ctx.tell(ctx.self, { type: "Realtime", symbol, bar, epoch });
  });
  on(EventName.tickPrice, (reqId: number, tickType: number, price: number) => {
    const symbol = bySymbol.get(reqId);
    if (!symbol || !(price > 0)) return;
    const top = book.get(symbol) ?? {};
    if (tickType === 1) top.bid = price;
    else if (tickType === 2) top.ask = price;
    else if (tickType === 4) top.last = price;
    else return;
    book.set(symbol, top);
    const mid = top.bid !== undefined && top.ask !== undefined ? (top.bid + top.ask) / 2 : undefined;
    const tick: Tick = {
      symbol,
      ts: ctx.clock.now(),
      price: top.last ?? mid ?? price,
      size: 0,
      ...(top.bid !== undefined ? { bid: top.bid } : {}),
      ...(top.ask !== undefined ? { ask: top.ask } : {}),
    };
    ctx.tell(c.target, { type: "Tick", tick });
  });
  let reqId = 70_000 + epoch * 100;
  for (const [symbol, spec] of Object.entries(c.symbols)) {
    const contract = toContract(symbol, spec);
    bySymbol.set(++reqId, symbol);
    conn.api.reqRealTimeBars(reqId, contract, 5, whatToShow(spec) as never, false);
    if (c.ticks) {
      bySymbol.set(++reqId, symbol);
      conn.api.reqMktData(reqId, contract, "", false, false);
    }
    state.aggregators.set(symbol, createAggregator(symbol, c.timeframe));
    // Bars missed while away come first; realtime bars queue behind them.
    const last = state.last.get(symbol);
    if (last !== undefined) backfill(state, ctx, symbol, last + TIMEFRAME_MS[c.timeframe], epoch);
  }
  ctx.log.info("IB feed subscribed", { symbols: Object.keys(c.symbols), timeframe: c.timeframe, ticks: c.ticks });
}

/** Fetches closed bars from `from` up to the current bucket, then sends them with whatever queued meanwhile. */
function backfill(
  state: State,
  ctx: ActorContext<IbFeedMessage>,
  symbol: string,
  from: number,
  epoch: number,
  until = 0,
): void {
  if (state.held.has(symbol)) {
    const m = state.more.get(symbol);
    state.more.set(symbol, { from: Math.min(from, m?.from ?? from), until: Math.max(until, m?.until ?? until) });
    return;
  }
  state.held.set(symbol, []);
  const step = TIMEFRAME_MS[state.config.timeframe];
  const to = Math.max(until, Math.floor(ctx.clock.now() / step) * step);
  const api = state.conn!.api;
  (async () => {
    const bars: Bar[] = [];
    for (let t = from; t < to; t += maxSpanMs(state.config.timeframe)) {
      const end = Math.min(to, t + maxSpanMs(state.config.timeframe));
      bars.push(
        ...await fetchIbBars(api, symbol, state.config.symbols[symbol], state.config.timeframe, t, end, {
          timeoutMs: state.config.timeoutMs,
          pacingBackoffMs: state.config.pacingBackoffMs,
          pacingRetries: 5,
        }),
      );
    }
    ctx.tell(ctx.self, { type: "Backfilled", symbol, bars, epoch });
  })().catch((err) => {
    ctx.log.warn("IB backfill failed; bars before the next realtime bar are missing", {
      symbol,
      error: String(err),
    });
    ctx.tell(ctx.self, { type: "Backfilled", symbol, bars: [], epoch });
  });
}

function send(state: State, ctx: ActorContext<IbFeedMessage>, bar: Bar): void {
  if (bar.ts <= (state.last.get(bar.symbol) ?? -Infinity)) return;
  state.last.set(bar.symbol, bar.ts);
  ctx.tell(state.config.target, { type: "Bar", bar });
}

function start(config: IbFeedConfig, ctx: ActorContext<IbFeedMessage>, last: Map<string, number>): State {
  ctx.tell(ctx.self, { type: "FeedConnect" });
  return {
    config,
    last,
    aggregators: new Map(),
    held: new Map(),
    more: new Map(),
    conn: undefined,
    offs: [],
    failures: 0,
    epoch: 0,
  };
}

export const ibFeed: Behaviour<IbFeedMessage, State, IbFeedConfig> = {
  accepts: ["FeedConnect", "Realtime", "Backfilled", "FeedDown", "GetFeedState"],
  parseConfig: parseIbFeedConfig,
  init: async (config, ctx) =>
    start(
      config,
      ctx,
      config.resumeFrom ? await lastJournaledBars(config.resumeFrom, Object.keys(config.symbols)) : new Map(),
    ),
  restore: (snapshot, config, ctx) =>
    start(config, ctx, new Map(Object.entries((snapshot as Snapshot | undefined)?.last ?? {}))),
  snapshot: (state): Snapshot => ({ last: Object.fromEntries(state.last) }),
  async receive(state, msg, ctx) {
    switch (msg.type) {
      case "FeedConnect":
        if (state.conn) return state;
        try {
          await open(state, ctx);
        } catch (err) {
          scheduleReconnect(state, ctx, String(err));
        }
        return state;
      case "FeedDown":
        if (msg.epoch === state.epoch) scheduleReconnect(state, ctx, msg.reason);
        return state;
      case "Realtime": {
        if (msg.epoch !== state.epoch) return state;
        for (const closed of state.aggregators.get(msg.symbol)?.push(msg.bar) ?? []) {
          if (closed.partial) {
            // Began before we subscribed: the whole bar comes from history.
            const from = Math.min(
              closed.bar.ts,
              (state.last.get(msg.symbol) ?? Infinity) + TIMEFRAME_MS[state.config.timeframe],
            );
            backfill(state, ctx, msg.symbol, from, state.epoch, closed.bar.ts + TIMEFRAME_MS[state.config.timeframe]);
            continue;
          }
          const queue = state.held.get(msg.symbol);
          if (queue) queue.push(closed.bar);
          else send(state, ctx, closed.bar);
        }
        return state;
      }
      case "Backfilled": {
        if (msg.epoch !== state.epoch) return state; // the connection it ran on is gone; the new one backfilled
        const queue = state.held.get(msg.symbol) ?? [];
        state.held.delete(msg.symbol);
        for (const bar of msg.bars) send(state, ctx, bar);
        const next = state.more.get(msg.symbol);
        state.more.delete(msg.symbol);
        if (next) {
          backfill(state, ctx, msg.symbol, next.from, state.epoch, next.until);
          state.held.get(msg.symbol)!.push(...queue);
        } else {
          for (const bar of queue) send(state, ctx, bar);
        }
        return state;
      }
      case "GetFeedState":
        ctx.reply({ type: "FeedState", last: Object.fromEntries(state.last), connected: state.conn !== undefined });
        return state;
      default:
        return assertNever(msg, "feed message");
    }
  },
  stop(state) {
    disconnect(state);
    return Promise.resolve();
  },
};

export default ibFeed;
