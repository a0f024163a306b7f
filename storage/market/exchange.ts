/** Creates the ccxt exchange the downloader talks to, optionally pointed at another base URL (a fake, a mirror). */
import ccxt, { type Exchange } from "ccxt";

export interface ExchangeOptions {
  /** Replaces the scheme and host of every `urls.api` entry, keeping each path: e.g. `http://127.0.0.1:8080`. */
  readonly apiUrl?: string;
}

export function createExchange(id: string, options: ExchangeOptions = {}): Exchange {
  const Ctor = (ccxt as unknown as Record<string, new (config: object) => Exchange>)[id];
  if (typeof Ctor !== "function" || !ccxt.exchanges.includes(id)) {
    throw new Error(`Unknown exchange "${id}": ccxt knows ${ccxt.exchanges.length} exchanges, e.g. binance, kraken`);
  }
  const exchange = new Ctor({
    // ccxt throttles each request to the venue's documented rate limit.
    enableRateLimit: true,
    // Spot markets only, and no private/margin endpoints: candles need nothing else, and no API key.
    options: { fetchMarkets: { types: ["spot"] }, fetchCurrencies: false, fetchMargins: false },
  });
  if (options.apiUrl) rewriteApiUrls(exchange, options.apiUrl.replace(/\/$/, ""));
  return exchange;
}

function rewriteApiUrls(exchange: Exchange, base: string): void {
  const rewrite = (value: unknown): unknown => {
    if (typeof value === "string") return value.replace(/^[a-z]+:\/\/[^/]+/i, base);
    if (value && typeof value === "object") {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v)]));
    }
    return value;
  };
  exchange.urls["api"] = rewrite(exchange.urls["api"]) as typeof exchange.urls["api"];
}
