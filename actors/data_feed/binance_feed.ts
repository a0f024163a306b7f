/**
 * The Binance feed: closed spot candles, live, through ccxt.pro `watchOHLCV`, sent to the venue adapter as `Bar`
 * messages exactly like the replay feed sends them (the adapter journals each bar and passes it to the risk
 * guardian, the strategies and the portfolio), so a strategy cannot tell a live feed from a replay.
 *
 * In a live config (`live check` validates it; `sandbox` selects Binance's spot testnet, `apiUrl`/`wsUrl` replace
 * the REST and WebSocket hosts, e.g. a mirror or a local fake):
 *
 * ```json
 * "feed": { "type": "binance", "symbols": ["BTC/USDT", "ETH/USDT"], "timeframe": "1m", "sandbox": false }
 * ```
 *
 * - A Bar goes out when Binance marks the kline closed (`x: true`), never for an update of the open candle; see
 *   binance/connection.ts for why that flag rather than "the next candle has started".
 * - Per symbol, bars go out in time order and at most once: the actor keeps the last emitted open time per
 *   symbol in its snapshot, so a restarted feed resumes after it and never re-emits.
 * - Reconnects back off 100 ms doubling to 5 s; after each reconnect the candles missed meanwhile are fetched over
 *   REST (`fetchOHLCV` since the last emitted open time + 1 timeframe, paged) and sent, merged across symbols
 *   in time order, before the stream resumes. Holes in the venue's own history are logged, not filled.
 *
 * - Without a snapshot (a process restart: snapshots live in memory) it resumes after the last bar the adapter
 *   journaled (`resumeFrom`, set by the live tree); with neither, it begins with the next candle to close.
 *
 * Limits: a hole filled for one symbol while others have moved on
 * reaches the adapter out of time order across symbols, and the adapter drops bars older than its last one.
 */
import { type ActorContext, assertNever, type Behaviour, ConfigError } from "../runtime/mod.ts";
import { type Bar, isTimeframe, type Timeframe } from "../protocol/mod.ts";
import { PAGE_LIMIT } from "./binance/backfill.ts";
import { createProBinance } from "./binance/connection.ts";
import { lastJournaledBars, type ResumeFrom } from "./binance/resume.ts";
import { startStream, type StreamHandle } from "./binance/stream.ts";

export interface BinanceFeedConfig {
  /** Unified ccxt symbols, e.g. "BTC/USDT". */
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  /** Where bars go: the venue adapter, as with the replay feed. */
  readonly target: string;
  readonly sandbox: boolean;
  readonly apiUrl?: string;
  readonly wsUrl?: string;
  readonly backoff: { readonly minMs: number; readonly maxMs: number };
  /** Candles per REST request while backfilling. */
  readonly pageLimit: number;
  /** The adapter's journal: where to resume without a snapshot (a process restart). */
  readonly resumeFrom?: ResumeFrom;
}

export type BinanceFeedMessage =
  | { readonly type: "Candles"; readonly source: "stream" | "backfill"; readonly bars: readonly Bar[] }
  /** Answered with `FeedState`: the last emitted open time per symbol (tests, the dashboard). */
  | { readonly type: "GetFeedState" };

interface State {
  readonly config: BinanceFeedConfig;
  /** Last emitted open time per symbol. */
  readonly last: Map<string, number>;
  readonly stream: StreamHandle;
}

interface Snapshot {
  readonly last: Readonly<Record<string, number>>;
}

const positive = (actor: string, field: string, value: unknown, fallback: number): number => {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new ConfigError(actor, field, `must be a positive number, got ${JSON.stringify(value)}`);
  }
  return value;
};

const optionalUrl = (actor: string, field: string, value: unknown): string | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || !URL.canParse(value)) {
    throw new ConfigError(actor, field, `must be a URL, got ${JSON.stringify(value)}`);
  }
  return value;
};

export function parseBinanceFeedConfig(raw: unknown, actor: string): BinanceFeedConfig {
  const c = (raw ?? {}) as Record<string, unknown>;
  if (!Array.isArray(c.symbols) || c.symbols.length === 0 || c.symbols.some((s) => typeof s !== "string")) {
    throw new ConfigError(actor, "symbols", 'needs at least one symbol, e.g. "BTC/USDT"');
  }
  const timeframe = c.timeframe ?? "1m";
  if (typeof timeframe !== "string" || !isTimeframe(timeframe)) {
    throw new ConfigError(actor, "timeframe", `unknown timeframe ${JSON.stringify(timeframe)}`);
  }
  if (typeof c.target !== "string" || c.target.length === 0) {
    throw new ConfigError(actor, "target", "required (the venue adapter's path)");
  }
  const backoff = (c.backoff ?? {}) as Record<string, unknown>;
  const minMs = positive(actor, "backoff.minMs", backoff.minMs, 100);
  const resume = c.resumeFrom as Partial<ResumeFrom> | undefined;
  if (resume !== undefined && (typeof resume?.db !== "string" || typeof resume.stream !== "string")) {
    throw new ConfigError(actor, "resumeFrom", "needs { db, stream } (the adapter's journal)");
  }
  const apiUrl = optionalUrl(actor, "apiUrl", c.apiUrl);
  const wsUrl = optionalUrl(actor, "wsUrl", c.wsUrl);
  return {
    symbols: [...new Set(c.symbols as string[])],
    timeframe,
    target: c.target,
    sandbox: c.sandbox === true,
    ...(apiUrl ? { apiUrl } : {}),
    ...(wsUrl ? { wsUrl } : {}),
    backoff: { minMs, maxMs: Math.max(minMs, positive(actor, "backoff.maxMs", backoff.maxMs, 5_000)) },
    pageLimit: positive(actor, "pageLimit", c.pageLimit, PAGE_LIMIT),
    ...(resume ? { resumeFrom: { db: resume.db!, stream: resume.stream! } } : {}),
  };
}

export const binanceFeed: Behaviour<BinanceFeedMessage, State, BinanceFeedConfig> = {
  accepts: ["Candles", "GetFeedState"],
  parseConfig: parseBinanceFeedConfig,
  init: async (config, ctx) =>
    start(config, ctx, config.resumeFrom ? await lastJournaledBars(config.resumeFrom, config.symbols) : new Map()),
  restore: (snapshot, config, ctx) =>
    start(config, ctx, new Map(Object.entries((snapshot as Snapshot | undefined)?.last ?? {}))),
  snapshot: (state): Snapshot => ({ last: Object.fromEntries(state.last) }),
  receive(state, msg, ctx) {
    switch (msg.type) {
      case "Candles": {
        let sent = 0;
        for (const bar of msg.bars) {
          // The stream loop dedupes already; this guard is what the snapshot promises, whatever the loop does.
          if (bar.ts <= (state.last.get(bar.symbol) ?? -Infinity)) continue;
          state.last.set(bar.symbol, bar.ts);
          ctx.tell(state.config.target, { type: "Bar", bar });
          sent++;
        }
        if (msg.source === "backfill") ctx.log.info("backfilled bars sent", { bars: sent });
        return state;
      }
      case "GetFeedState":
        ctx.reply({ type: "FeedState", last: Object.fromEntries(state.last) });
        return state;
      default:
        return assertNever(msg, "feed message");
    }
  },
  async stop(state) {
    await state.stream.stop();
  },
};

function start(
  config: BinanceFeedConfig,
  ctx: ActorContext<BinanceFeedMessage>,
  last: Map<string, number>,
): State {
  const exchange = createProBinance(config);
  const stream = startStream({
    exchange,
    symbols: config.symbols,
    timeframe: config.timeframe,
    clock: ctx.clock,
    log: ctx.log,
    backoff: config.backoff,
    pageLimit: config.pageLimit,
    cursors: last,
    // Through the mailbox: state changes only in receive, and the snapshot follows each batch.
    emit: (bars, source) => ctx.tell(ctx.self, { type: "Candles", source, bars }),
  });
  ctx.log.info("binance feed started", {
    symbols: config.symbols,
    timeframe: config.timeframe,
    sandbox: config.sandbox,
    resumeAfter: Object.fromEntries(last),
  });
  return { config, last, stream };
}

export default binanceFeed;
