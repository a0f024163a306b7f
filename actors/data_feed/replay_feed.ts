/**
 * The replay feed: stored candles (a CSV/JSON file) replayed at a chosen speed, one bar per request from the venue
 * adapter (lockstep, see protocol/flow.ts). Stateless between requests: a restarted feed resumes from whatever
 * bar the adapter asks for, so crash recovery needs nothing from it. After the last bar it stops (normal exit),
 * which the daemon takes as "replay finished".
 */
import { type Behaviour, ConfigError } from "../runtime/mod.ts";
import { type Bar, isTimeframe, type RequestBar, type Timeframe, TIMEFRAME_MS } from "../protocol/mod.ts";
import { barAt, loadBars } from "../../storage/bars/mod.ts";

export interface ReplaySource {
  readonly file: string;
  readonly symbol?: string;
  readonly timeframe?: Timeframe;
}

export interface ReplayFeedConfig {
  readonly sources: readonly ReplaySource[];
  /** Bars per bar-duration: 1 = real time, 60 = a minute bar per second; "max" = as fast as they are handled. */
  readonly speed: number | "max";
  /** Only the first `limit` bars (merged order). */
  readonly limit?: number;
}

export type ReplayFeedMessage =
  | (RequestBar & { readonly afterSymbol?: string })
  | { readonly type: "EmitBar"; readonly index: number; readonly replyTo: string };

interface State {
  readonly config: ReplayFeedConfig;
  /** Every bar of every source, merged by (time, symbol). */
  readonly bars: readonly Bar[];
}

export function parseReplayFeedConfig(raw: unknown, actor: string): ReplayFeedConfig {
  const c = (raw ?? {}) as Partial<ReplayFeedConfig>;
  if (!Array.isArray(c.sources) || c.sources.length === 0) {
    throw new ConfigError(actor, "sources", "needs at least one { file } to replay");
  }
  c.sources.forEach((s, i) => {
    if (typeof s?.file !== "string") throw new ConfigError(actor, `sources[${i}].file`, "required (a path)");
    if (s.timeframe !== undefined && !isTimeframe(s.timeframe)) {
      throw new ConfigError(actor, `sources[${i}].timeframe`, `unknown timeframe ${JSON.stringify(s.timeframe)}`);
    }
  });
  const speed = c.speed ?? "max";
  if (speed !== "max" && !(typeof speed === "number" && speed > 0)) {
    throw new ConfigError(actor, "speed", `must be a positive number or "max", got ${JSON.stringify(speed)}`);
  }
  return { sources: c.sources, speed, ...(c.limit !== undefined ? { limit: c.limit } : {}) };
}

export async function loadReplayBars(config: ReplayFeedConfig): Promise<Bar[]> {
  const bars: Bar[] = [];
  for (const source of config.sources) {
    const { series: s } = await loadBars(source.file, {
      ...(source.symbol ? { symbol: source.symbol } : {}),
      ...(source.timeframe ? { timeframe: source.timeframe } : {}),
    });
    for (let i = 0; i < s.length; i++) bars.push(barAt(s, i));
  }
  bars.sort((a, b) => a.ts - b.ts || (a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0));
  return config.limit === undefined ? bars : bars.slice(0, config.limit);
}

/** Index of the first bar after (ts, symbol) in merge order. */
function nextIndex(bars: readonly Bar[], afterTs: number, afterSymbol: string | undefined): number {
  let lo = 0;
  let hi = bars.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const b = bars[mid];
    const after = b.ts > afterTs || (b.ts === afterTs && afterSymbol !== undefined && b.symbol > afterSymbol);
    if (after) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

export const replayFeed: Behaviour<ReplayFeedMessage, State, ReplayFeedConfig> = {
  accepts: ["RequestBar", "EmitBar"],
  parseConfig: parseReplayFeedConfig,
  async init(config, ctx) {
    const bars = await loadReplayBars(config);
    ctx.log.info("replay feed loaded", { bars: bars.length, speed: config.speed });
    return { config, bars };
  },
  receive(state, msg, ctx) {
    switch (msg.type) {
      case "RequestBar": {
        const index = nextIndex(state.bars, msg.afterTs, msg.afterSymbol);
        if (index >= state.bars.length) {
          ctx.log.info("replay finished", { bars: state.bars.length });
          ctx.stopSelf();
          return state;
        }
        const speed = state.config.speed;
        const bar = state.bars[index];
        if (speed === "max") ctx.tell(msg.replyTo, { type: "Bar", bar });
        else {
          ctx.schedule("next", TIMEFRAME_MS[bar.timeframe] / speed, {
            type: "EmitBar",
            index,
            replyTo: msg.replyTo,
          });
        }
        return state;
      }
      case "EmitBar":
        ctx.tell(msg.replyTo, { type: "Bar", bar: state.bars[msg.index] });
        return state;
    }
  },
};

export default replayFeed;
