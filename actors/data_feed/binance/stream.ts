/**
 * The feed's connection loop: ccxt.pro `watchOHLCVForSymbols` keeps the WebSocket subscribed; closed klines (the
 * tap in connection.ts) go out in order, at most once per open time and symbol.
 *
 * - A dropped or refused connection is retried with exponential backoff (`minMs` doubling to `maxMs`), reset by
 *   the first frame after a reconnect.
 * - That first frame (and the first one after a start from a snapshot) triggers a REST backfill of every candle
 *   that closed after the last one sent, merged across symbols in time order, before any streamed candle.
 * - A streamed candle more than one timeframe after the last one sent for its symbol (a frame lost without a
 *   disconnect) first fills the hole over REST. Holes the venue itself has stay holes and are logged.
 *
 * The loop owns its cursors (last open time handed over per symbol); the actor keeps its own copy of what it has
 * emitted, which is what its snapshot holds.
 */
import { type Bar, type Timeframe, TIMEFRAME_MS } from "../../protocol/mod.ts";
import { type Clock, errorText, type Logger } from "../../runtime/mod.ts";
import { backfill, fetchClosedBars, findGaps, type Gap } from "./backfill.ts";
import { type ProBinance, tapClosedKlines } from "./connection.ts";

export interface StreamOptions {
  readonly exchange: ProBinance;
  readonly symbols: readonly string[];
  readonly timeframe: Timeframe;
  readonly clock: Clock;
  readonly log: Logger;
  readonly backoff: { readonly minMs: number; readonly maxMs: number };
  readonly pageLimit: number;
  /** Last open time already emitted per symbol (from the snapshot); the loop advances its own copy. */
  readonly cursors: ReadonlyMap<string, number>;
  emit(bars: Bar[], source: "stream" | "backfill"): void;
}

export interface StreamHandle {
  stop(): Promise<void>;
}

export function startStream(options: StreamOptions): StreamHandle {
  const { exchange, clock, log, timeframe } = options;
  const step = TIMEFRAME_MS[timeframe];
  const pairs = options.symbols.map((s) => [s, timeframe]);
  const cursors = new Map(options.cursors);
  const closed: Bar[] = [];
  tapClosedKlines(exchange, options.symbols, timeframe, (bar) => closed.push(bar));
  let stopped = false;
  let wakeSleeper: (() => void) | undefined;

  function advance(bars: readonly Bar[], source: "stream" | "backfill") {
    if (bars.length === 0) return;
    for (const bar of bars) cursors.set(bar.symbol, Math.max(cursors.get(bar.symbol) ?? -Infinity, bar.ts));
    options.emit([...bars], source);
  }

  function logGaps(gaps: readonly Gap[]) {
    for (const gap of gaps) {
      log.warn("venue has no candles here; not filled", {
        symbol: gap.symbol,
        from: new Date(gap.from).toISOString(),
        to: new Date(gap.to).toISOString(),
        missing: (gap.to - gap.from) / step,
      });
    }
  }

  /** After a (re)connect: everything that closed since the last candle sent, before any streamed one. */
  async function resync(reconnects: number) {
    const known = new Map([...cursors].filter(([symbol]) => options.symbols.includes(symbol)));
    if (known.size === 0) return;
    const result = await backfill(exchange, known, timeframe, clock.now(), options.pageLimit);
    advance(result.bars, "backfill");
    log.info("backfilled over REST", {
      bars: result.bars.length,
      requests: result.requests,
      gaps: result.gaps.length,
      reconnects,
    });
    logGaps(result.gaps);
  }

  /** Streamed closed candles, in arrival order; one that skips slots fills them over REST first. */
  async function drain() {
    while (closed.length > 0) {
      const bar = closed[0];
      const last = cursors.get(bar.symbol);
      if (last !== undefined && bar.ts <= last) {
        closed.shift(); // sent already (backfilled, or a repeated frame)
        continue;
      }
      if (last !== undefined && bar.ts > last + step) {
        // Left in the queue until the fill succeeds: a failed REST call must not lose the streamed candle.
        const filled = await fetchClosedBars(exchange, bar.symbol, timeframe, last + step, bar.ts, options.pageLimit);
        advance(filled.bars, "backfill");
        log.info("stream skipped candles; filled over REST", {
          symbol: bar.symbol,
          bars: filled.bars.length,
          requests: filled.requests,
        });
        logGaps(findGaps(bar.symbol, last, [...filled.bars, bar], step));
      }
      closed.shift();
      advance([bar], "stream");
    }
  }

  function sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const handle = clock.setTimer(clock.now() + ms, () => {
        wakeSleeper = undefined;
        resolve();
      });
      wakeSleeper = () => {
        clock.clearTimer(handle);
        wakeSleeper = undefined;
        resolve();
      };
    });
  }

  async function run() {
    let delay = options.backoff.minMs;
    let failures = 0;
    let reconnects = 0;
    let needsResync = true; // a start is a reconnect: a snapshot's cursors may be far behind
    while (!stopped) {
      try {
        await exchange.watchOHLCVForSymbols(pairs);
        if (stopped) break;
        if (failures > 0) {
          reconnects++;
          log.info("stream reconnected", { failedAttempts: failures, reconnects });
        }
        failures = 0;
        delay = options.backoff.minMs;
        if (needsResync) {
          await resync(reconnects);
          needsResync = false;
        }
        await drain();
      } catch (err) {
        if (stopped) break;
        failures++;
        needsResync = true;
        log.warn("stream down; reconnecting", { attempt: failures, inMs: delay, error: errorText(err) });
        await sleep(delay);
        delay = Math.min(delay * 2, options.backoff.maxMs);
      }
    }
  }

  const running = run();
  return {
    async stop() {
      stopped = true;
      wakeSleeper?.();
      // Closing the exchange rejects the pending watch, which ends the loop.
      await exchange.close().catch(() => {});
      await running;
    },
  };
}
