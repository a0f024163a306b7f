/**
 * A fake Binance spot REST server on 127.0.0.1 (random port) speaking Binance's real wire format, so ccxt can be
 * driven end to end with no exchange reachable. It counts every request.
 *
 * Modular on purpose: `routes` maps "METHOD /path" to a handler; callers add routes (orders, account) through
 * `extraRoutes` without touching the market-data ones here.
 */
import { TIMEFRAME_MS } from "../../actors/protocol/market.ts";

export interface FakeMarket {
  /** Binance id, e.g. "BTCUSDT". */
  readonly id: string;
  readonly base: string;
  readonly quote: string;
}

/** Rows `[openTime, open, high, low, close, volume]`, sorted by open time, for one symbol id and interval. */
export type KlineRows = readonly (readonly number[])[];

export interface LoggedRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
}

export type Handler = (params: URLSearchParams, request: Request) => Response | Promise<Response>;

export interface FakeBinanceOptions {
  readonly markets?: readonly FakeMarket[];
  /** Candles served by `/api/v3/klines`, keyed `${id}:${interval}`. */
  readonly klines?: Readonly<Record<string, KlineRows>>;
  readonly extraRoutes?: Readonly<Record<string, Handler>>;
  /** Answer this many kline requests, then fail every later one with HTTP 503 (to test resuming). */
  readonly failKlinesAfter?: number;
  /** Listen on this port (default: a free one); lets a test bring a "dropped" fake back on the same address. */
  readonly port?: number;
}

export interface FakeBinance {
  /** `http://127.0.0.1:<port>`: what every ccxt `urls.api` entry is pointed at. */
  readonly url: string;
  readonly requests: LoggedRequest[];
  /** Requests to `path` (e.g. "/api/v3/klines"), or all of them. */
  count(path?: string): number;
  close(): Promise<void>;
}

/** Binance interval → ms: the same names as our timeframes. */
const INTERVAL_MS: Readonly<Record<string, number>> = TIMEFRAME_MS;

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
const binanceError = (code: number, msg: string, status = 400) => json({ code, msg }, status);

/** Binance's exchangeInfo entry for a spot symbol: the fields ccxt's parseMarket reads. */
export function symbolInfo(m: FakeMarket): Record<string, unknown> {
  return {
    symbol: m.id,
    status: "TRADING",
    baseAsset: m.base,
    baseAssetPrecision: 8,
    quoteAsset: m.quote,
    quotePrecision: 8,
    quoteAssetPrecision: 8,
    baseCommissionPrecision: 8,
    quoteCommissionPrecision: 8,
    orderTypes: ["LIMIT", "LIMIT_MAKER", "MARKET", "STOP_LOSS_LIMIT", "TAKE_PROFIT_LIMIT"],
    icebergAllowed: true,
    ocoAllowed: true,
    quoteOrderQtyMarketAllowed: true,
    allowTrailingStop: true,
    cancelReplaceAllowed: true,
    isSpotTradingAllowed: true,
    isMarginTradingAllowed: false,
    filters: [
      { filterType: "PRICE_FILTER", minPrice: "0.01000000", maxPrice: "1000000.00000000", tickSize: "0.01000000" },
      { filterType: "LOT_SIZE", minQty: "0.00001000", maxQty: "9000.00000000", stepSize: "0.00001000" },
      { filterType: "NOTIONAL", minNotional: "5.00000000", applyMinToMarket: true, maxNotional: "9000000.00000000" },
    ],
    permissions: [],
    permissionSets: [["SPOT"]],
    defaultSelfTradePreventionMode: "EXPIRE_MAKER",
    allowedSelfTradePreventionModes: ["EXPIRE_TAKER", "EXPIRE_MAKER", "EXPIRE_BOTH"],
  };
}

/** One kline as Binance sends it: numbers as strings, close time = next open time - 1. */
export function klineRow(row: readonly number[], intervalMs: number): (number | string)[] {
  const [t, o, h, l, c, v] = row;
  return [
    t,
    String(o),
    String(h),
    String(l),
    String(c),
    String(v),
    t + intervalMs - 1,
    String(v * c),
    10,
    "0",
    "0",
    "0",
  ];
}

/** GET /api/v3/klines: startTime/endTime inclusive bounds on open time, limit default 500, max 1000. */
function klinesHandler(options: FakeBinanceOptions, counter: { served: number }): Handler {
  return (p) => {
    if (options.failKlinesAfter !== undefined && counter.served >= options.failKlinesAfter) {
      return new Response("Service Unavailable", { status: 503 });
    }
    const symbol = p.get("symbol") ?? "";
    const interval = p.get("interval") ?? "";
    if (!(options.markets ?? []).some((m) => m.id === symbol)) return binanceError(-1121, "Invalid symbol.");
    const ms = INTERVAL_MS[interval];
    if (!ms) return binanceError(-1120, "Invalid interval.");
    const limit = Math.min(Number(p.get("limit") ?? 500), 1000);
    const start = p.has("startTime") ? Number(p.get("startTime")) : -Infinity;
    const end = p.has("endTime") ? Number(p.get("endTime")) : Infinity;
    const rows = (options.klines?.[`${symbol}:${interval}`] ?? []).filter((r) => r[0] >= start && r[0] <= end);
    // Without startTime Binance answers the most recent candles.
    const page = p.has("startTime") ? rows.slice(0, limit) : rows.slice(-limit);
    counter.served++;
    return json(page.map((r) => klineRow(r, ms)));
  };
}

export function startFakeBinance(options: FakeBinanceOptions = {}): FakeBinance {
  const requests: LoggedRequest[] = [];
  const counter = { served: 0 };
  const routes: Record<string, Handler> = {
    "GET /api/v3/ping": () => json({}),
    "GET /api/v3/time": () => json({ serverTime: Date.now() }),
    "GET /api/v3/exchangeInfo": () =>
      json({
        timezone: "UTC",
        serverTime: Date.now(),
        rateLimits: [{ rateLimitType: "REQUEST_WEIGHT", interval: "MINUTE", intervalNum: 1, limit: 6000 }],
        exchangeFilters: [],
        symbols: (options.markets ?? []).map(symbolInfo),
      }),
    "GET /api/v3/klines": klinesHandler(options, counter),
    ...options.extraRoutes,
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: options.port ?? 0, onListen: () => {} }, async (request) => {
    const url = new URL(request.url);
    requests.push({ method: request.method, path: url.pathname, params: Object.fromEntries(url.searchParams) });
    const handler = routes[`${request.method} ${url.pathname}`];
    if (!handler) return binanceError(-1000, `No fake route for ${request.method} ${url.pathname}`, 404);
    return await handler(url.searchParams, request);
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    requests,
    count: (path) => path === undefined ? requests.length : requests.filter((r) => r.path === path).length,
    close: () => server.shutdown(),
  };
}
