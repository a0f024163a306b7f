/**
 * The Binance spot client over ccxt: REST orders, cancels, balances and open orders, with ccxt's rate limiter
 * on, testnet (sandbox) mode, and an optional base URL (a local fake in tests). Every ccxt error is mapped to
 * "rejected" (final) or "unavailable" (back off, reconcile); see mapping.ts.
 */
import ccxt, { type Exchange } from "ccxt";
import type { Balance, OrderRequest } from "../../protocol/mod.ts";
import { ConfigError } from "../../runtime/mod.ts";
import { snapQty } from "../snap.ts";
import { clampSized } from "../sizing.ts";
import { type OrderReport, type SubmitContext, type VenueClient, VenueError } from "../venue.ts";
import { isDuplicate, isNotFound, toCreateArgs, toVenueError } from "./mapping.ts";
import { fetchOpenReports, fetchReport, withTrades } from "./reconcile.ts";

export interface BinanceClientConfig {
  readonly apiKey: string;
  readonly secret: string;
  readonly sandbox: boolean;
  /** Replaces the scheme and host of every REST URL (a fake, a mirror). */
  readonly apiUrl?: string;
  readonly timeoutMs: number;
  /** Quote currency for orders sized from the balance. */
  readonly quote: string;
  readonly symbols: readonly string[];
}

export function parseBinanceClientConfig(raw: unknown, actor: string): BinanceClientConfig {
  const c = (raw ?? {}) as Partial<BinanceClientConfig>;
  if (!c.apiKey) throw new ConfigError(actor, "client.apiKey", "required (env BINANCE_API_KEY)");
  if (!c.secret) throw new ConfigError(actor, "client.secret", "required (env BINANCE_API_SECRET)");
  if (!Array.isArray(c.symbols) || c.symbols.length === 0) {
    throw new ConfigError(actor, "client.symbols", "needs the symbols traded");
  }
  return {
    apiKey: c.apiKey,
    secret: c.secret,
    sandbox: c.sandbox ?? false,
    ...(c.apiUrl ? { apiUrl: c.apiUrl } : {}),
    timeoutMs: c.timeoutMs ?? 10_000,
    quote: c.quote ?? "USDT",
    symbols: [...new Set(c.symbols)],
  };
}

function rewrite(value: unknown, base: string): unknown {
  if (typeof value === "string") return value.replace(/^[a-z]+:\/\/[^/]+/i, base);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, base)]));
  }
  return value;
}

export function createBinance(config: BinanceClientConfig): Exchange {
  const exchange = new ccxt.binance({
    apiKey: config.apiKey,
    secret: config.secret,
    // ccxt throttles every request to Binance's documented weights.
    enableRateLimit: true,
    timeout: config.timeoutMs,
    options: { defaultType: "spot", fetchMarkets: { types: ["spot"] }, fetchCurrencies: false, fetchMargins: false },
  });
  if (config.sandbox) exchange.setSandboxMode(true);
  if (config.apiUrl) {
    exchange.urls["api"] = rewrite(
      exchange.urls["api"],
      config.apiUrl.replace(/\/$/, ""),
    ) as typeof exchange.urls["api"];
  }
  return exchange;
}

async function call<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw toVenueError(err);
  }
}

export function binanceClient(config: BinanceClientConfig, venue: string): VenueClient {
  const exchange = createBinance(config);
  let free: Record<string, number> = {};

  /** Orders sized at the venue (a fraction of equity) are resolved here, from the last price and the balance. */
  function quantity(order: OrderRequest, context: SubmitContext): number {
    const market = exchange.market(order.symbol);
    const step = Number(market.precision?.amount ?? 0);
    if (!order.sizing) return snapQty(order.qty, step);
    const price = context.lastPrice.get(order.symbol);
    if (!(price! > 0)) throw new VenueError("rejected", `cannot size ${order.clientOrderId}: no last price`);
    const f = order.sizing.fraction;
    const qty = order.side === "buy" ? (free[market.quote] ?? 0) * f / price! : (free[market.base] ?? 0) * f;
    return clampSized(snapQty(qty, step), order, price!, step);
  }

  return {
    name: venue,
    connect: () => call(() => exchange.loadMarkets()).then(() => {}),
    async submit(order, context) {
      const qty = quantity(order, context);
      if (!(qty > 0)) throw new VenueError("rejected", `${order.clientOrderId}: quantity rounds to 0`);
      try {
        const created = await exchange.createOrder(...toCreateArgs(order, qty));
        return await withTrades(exchange, venue, {
          ...created,
          clientOrderId: created.clientOrderId ?? order.clientOrderId,
        });
      } catch (err) {
        // The venue has this id already (an earlier attempt got through): adopt it, never send it again.
        if (isDuplicate(err)) {
          const report = await fetchReport(exchange, venue, order.clientOrderId, order.symbol);
          if (report) return report;
        }
        throw toVenueError(err);
      }
    },
    async cancel(clientOrderId, symbol) {
      try {
        await exchange.cancelOrder(undefined as unknown as string, symbol, { origClientOrderId: clientOrderId });
      } catch (err) {
        if (!isNotFound(err) && !/Unknown order sent/.test((err as Error)?.message ?? "")) throw toVenueError(err);
      }
      return await fetchReport(exchange, venue, clientOrderId, symbol);
    },
    report: (clientOrderId, symbol) => fetchReport(exchange, venue, clientOrderId, symbol),
    openOrders: (): Promise<OrderReport[]> => fetchOpenReports(exchange, venue, config.symbols),
    async balances(): Promise<Balance[]> {
      const balance = await call(() => exchange.fetchBalance()) as unknown as {
        total?: Record<string, number>;
        free?: Record<string, number>;
        used?: Record<string, number>;
      };
      const currencies = Object.keys(balance.total ?? {});
      free = Object.fromEntries(currencies.map((c) => [c, Number(balance.free?.[c] ?? 0)]));
      return currencies.map((currency) => ({
        currency,
        free: Number(balance.free?.[currency] ?? 0),
        locked: Number(balance.used?.[currency] ?? 0),
      }));
    },
    close: () => Promise.resolve(),
  };
}
