/** The live config's `feed`: replayed files (loaded and checked now), Binance's live candles, or IB's realtime bars. */
import { isAbsolute, resolve } from "node:path";
import { isTimeframe, type Timeframe, TIMEFRAMES } from "../protocol/mod.ts";
import { loadBars } from "../../storage/bars/mod.ts";
import { show } from "../runtime/validate.ts";
import { parseSpec } from "../exchange/ib/mapping.ts";
import { bool, HTTP, known, list, num, obj, oneOf, type Problems, str, url } from "./config_fields.ts";

export type FeedConfig =
  | {
    readonly type: "replay";
    readonly sources: readonly { readonly file: string; readonly symbol: string; readonly timeframe: Timeframe }[];
    readonly speed: number | "max";
    readonly limit?: number;
  }
  | {
    readonly type: "binance";
    readonly symbols: readonly string[];
    readonly timeframe: Timeframe;
    /** Binance's spot testnet. */
    readonly sandbox: boolean;
    readonly apiUrl?: string;
    readonly wsUrl?: string;
  }
  | {
    readonly type: "ib";
    readonly symbols: readonly string[];
    readonly timeframe: Timeframe;
    readonly host: string;
    readonly port: number;
    /** Its own TWS client id (not the venue's). */
    readonly clientId: number;
    /** Contracts of symbols that are not SMART stocks in USD or "BASE/QUOTE" forex. */
    readonly contracts: Readonly<Record<string, unknown>>;
    readonly ticks: boolean;
  };

const TIMEFRAME_LIST = TIMEFRAMES.join(", ");

function timeframe(p: Problems, value: unknown, field: string, fallback?: Timeframe): Timeframe | undefined {
  if (value === undefined) return fallback;
  if (typeof value === "string" && isTimeframe(value)) return value;
  p.push({ field, why: `unknown timeframe ${show(value)} (known: ${TIMEFRAME_LIST})` });
  return undefined;
}

/** The feed, or undefined when its type is unusable (then nothing that depends on the feed is checked). */
export async function parseFeed(p: Problems, raw: unknown, baseDir: string): Promise<FeedConfig | undefined> {
  const f = obj(p, raw, "feed");
  if (raw === undefined || f !== raw) return undefined;
  const type = oneOf(p, f.type, "feed.type", ["replay", "binance", "ib"] as const);
  if (type === undefined) {
    if (f.type === undefined) p.push({ field: "feed.type", why: 'required: "replay", "binance" or "ib"' });
    return undefined;
  }
  if (type === "replay") {
    known(p, f, "feed", ["type", "sources", "speed", "limit"]);
    const sources: { file: string; symbol: string; timeframe: Timeframe }[] = [];
    const before = p.length;
    for (const [i, s] of list(p, f.sources, "feed.sources", "{ file }").entries()) {
      const field = `feed.sources[${i}]`;
      const source = obj(p, s, field);
      known(p, source, field, ["file", "symbol", "timeframe"]);
      const given = str(p, source.file, `${field}.file`);
      const symbol = source.symbol === undefined ? undefined : str(p, source.symbol, `${field}.symbol`);
      const tf = timeframe(p, source.timeframe, `${field}.timeframe`);
      if (given === "" || symbol === "" || (source.timeframe !== undefined && tf === undefined)) continue;
      const file = isAbsolute(given) ? given : resolve(baseDir, given);
      try {
        const loaded = await loadBars(file, { ...(symbol ? { symbol } : {}), ...(tf ? { timeframe: tf } : {}) });
        sources.push({ file, symbol: loaded.series.symbol, timeframe: loaded.series.timeframe });
      } catch (err) {
        p.push({ field: `${field}.file`, why: `cannot load ${file}: ${(err as Error).message}` });
      }
    }
    const speed = f.speed ?? "max";
    if (speed !== "max" && !(typeof speed === "number" && Number.isFinite(speed) && speed > 0)) {
      p.push({ field: "feed.speed", why: `must be a number > 0 (× real time) or "max", got ${show(speed)}` });
    }
    // A source that failed leaves the feed's symbols unknown: checking strategies against them would mislead.
    const sourcesOk = p.length === before;
    if (sources.length > 1 && sources.some((s) => s.timeframe !== sources[0].timeframe)) {
      const found = sources.map((s) => `${s.symbol} ${s.timeframe}`).join(", ");
      p.push({ field: "feed.sources", why: `every source needs the same timeframe (found ${found})` });
    }
    const limit = f.limit === undefined ? undefined : num(p, f.limit, "feed.limit", { min: 1, integer: true });
    if (!sourcesOk) return undefined;
    return { type, sources, speed: speed as number | "max", ...(limit !== undefined ? { limit } : {}) };
  }
  if (type === "ib") return parseIbFeed(p, f);
  known(p, f, "feed", ["type", "symbols", "timeframe", "sandbox", "apiUrl", "wsUrl"]);
  const symbols = list(p, f.symbols, "feed.symbols", 'symbol, e.g. "BTC/USDT"')
    .map((s, i) => str(p, s, `feed.symbols[${i}]`));
  return {
    type,
    symbols,
    timeframe: timeframe(p, f.timeframe, "feed.timeframe", "1m") ?? "1m",
    sandbox: bool(p, f.sandbox, "feed.sandbox", false),
    ...(f.apiUrl !== undefined ? { apiUrl: url(p, f.apiUrl, "feed.apiUrl", HTTP) } : {}),
    ...(f.wsUrl !== undefined ? { wsUrl: url(p, f.wsUrl, "feed.wsUrl", ["ws:", "wss:"]) } : {}),
  };
}

function parseIbFeed(p: Problems, f: Record<string, unknown>): FeedConfig {
  known(p, f, "feed", ["type", "symbols", "timeframe", "host", "port", "clientId", "contracts", "ticks"]);
  const symbols = list(p, f.symbols, "feed.symbols", 'symbol, e.g. "AAPL"').map((s, i) =>
    str(p, s, `feed.symbols[${i}]`)
  );
  const contracts = f.contracts === undefined ? {} : obj(p, f.contracts, "feed.contracts");
  for (const [symbol, spec] of Object.entries(contracts)) {
    const why = parseSpec(symbol, spec);
    if (typeof why === "string") p.push({ field: `feed.contracts.${symbol}`, why });
  }
  const tf = timeframe(p, f.timeframe, "feed.timeframe", "1m") ?? "1m";
  return {
    type: "ib",
    symbols,
    timeframe: tf,
    host: str(p, f.host, "feed.host", "127.0.0.1"),
    port: num(p, f.port, "feed.port", { min: 1, integer: true, hint: "TWS 7497 paper / 7496 live" }, 7497),
    clientId: num(p, f.clientId, "feed.clientId", { min: 0, integer: true }, 2),
    contracts,
    ticks: bool(p, f.ticks, "feed.ticks", false),
  };
}
