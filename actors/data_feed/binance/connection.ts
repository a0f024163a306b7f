/**
 * ccxt.pro Binance spot for market data: testnet when `sandbox`, REST and WebSocket hosts optionally replaced (a
 * local fake, a mirror), and a tap on the kline frames for the one field ccxt drops.
 *
 * Why the tap: ccxt parses a kline into `[t, o, h, l, c, v]` and discards Binance's `x` ("this kline is closed").
 * Without it a candle could only be called closed when the next candle's first update arrives, up to one push
 * period (~2 s on spot) late, and with whatever values the last update before the close carried. With it, a Bar
 * goes out the moment Binance says the candle is final, with the final values.
 */
import ccxt from "ccxt";
import type { Bar, Timeframe } from "../../protocol/mod.ts";

export interface ConnectionConfig {
  readonly sandbox: boolean;
  /** Replaces scheme and host of every REST URL. */
  readonly apiUrl?: string;
  /** Replaces scheme and host of every WebSocket URL (the path, e.g. `/ws/0`, stays Binance's). */
  readonly wsUrl?: string;
}

export type ProBinance = InstanceType<typeof ccxt.pro.binance>;

function rewrite(value: unknown, base: string): unknown {
  if (typeof value === "string") return value.replace(/^[a-z]+:\/\/[^/]+/i, base);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rewrite(v, base)]));
  }
  return value;
}

export function createProBinance(config: ConnectionConfig): ProBinance {
  const exchange = new ccxt.pro.binance({
    enableRateLimit: true,
    options: { defaultType: "spot", fetchMarkets: { types: ["spot"] }, fetchCurrencies: false, fetchMargins: false },
  });
  // The feed's loop owns reconnect backoff (and resets it on success); ccxt's own dial backoff (1 s doubling, reset
  // only after 30 s of stable connection) would stack on top of it, so it is turned off.
  const ws = (exchange.options["ws"] ?? {}) as Record<string, unknown>;
  exchange.options["ws"] = { ...ws, backoff: { base: 0, max: 0 } };
  if (config.sandbox) exchange.setSandboxMode(true);
  const api = exchange.urls["api"] as Record<string, unknown>;
  exchange.urls["api"] = Object.fromEntries(
    Object.entries(api).map(([key, value]) => {
      const base = key === "ws" ? config.wsUrl : config.apiUrl;
      return [key, base ? rewrite(value, base.replace(/\/$/, "")) : value];
    }),
  ) as typeof exchange.urls["api"];
  return exchange;
}

interface KlineFrame {
  readonly k?: {
    readonly t?: number;
    readonly s?: string;
    readonly i?: string;
    readonly o?: string;
    readonly h?: string;
    readonly l?: string;
    readonly c?: string;
    readonly v?: string;
    readonly x?: boolean;
  };
}

/**
 * Calls `onClosed` with every closed kline of `timeframe` for the given unified symbols, right after ccxt has
 * handled the frame. Unclosed updates and other symbols or intervals are ignored.
 */
export function tapClosedKlines(
  exchange: ProBinance,
  symbols: readonly string[],
  timeframe: Timeframe,
  onClosed: (bar: Bar) => void,
): void {
  const wanted = new Set(symbols);
  // deno-lint-ignore no-explicit-any
  const target = exchange as any;
  const handle = target.handleOHLCV as (client: unknown, message: KlineFrame) => void;
  // binance.handleMessage looks the handler up on `this` for every frame, so an own property takes over.
  target.handleOHLCV = function (this: unknown, client: unknown, message: KlineFrame) {
    handle.call(this, client, message);
    const k = message.k;
    if (k?.x !== true || k.s === undefined || k.t === undefined) return;
    if (k.i !== (exchange.timeframes as Record<string, string>)[timeframe]) return;
    const symbol = exchange.safeSymbol(k.s, undefined, undefined, "spot");
    if (!wanted.has(symbol)) return;
    onClosed({
      symbol,
      timeframe,
      ts: k.t,
      open: Number(k.o),
      high: Number(k.h),
      low: Number(k.l),
      close: Number(k.c),
      volume: Number(k.v),
    });
  };
}
