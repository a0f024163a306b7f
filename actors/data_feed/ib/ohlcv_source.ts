/**
 * IB historical bars behind the downloader's candle-source interface (`fetchOHLCV` rows of [ts, o, h, l, c, v]),
 * for `deno task data download --exchange ib`: the downloader asks only for the ranges its store is missing.
 * One `fetchOHLCV` walks IB-sized windows (history.ts) until it has `limit` bars or reaches `until`: the downloader
 * reads a short page as "nothing more up to the range's end", and IB's history has nights and weekends in it.
 */
import type { Timeframe } from "../../protocol/mod.ts";
import type { OhlcvSource } from "../../../storage/market/download.ts";
import { connect, type Connected } from "../../exchange/ib/connection.ts";
import { type ContractSpec, parseSpec } from "../../exchange/ib/mapping.ts";
import { fetchIbBars, maxSpanMs } from "./history.ts";

export interface IbSourceOptions {
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  readonly timeoutMs?: number;
  readonly pacingBackoffMs?: number;
  /** Our symbol → contract; a symbol missing here is a stock on SMART in USD ("EUR/USD": forex on IDEALPRO). */
  readonly symbols?: Readonly<Record<string, unknown>>;
}

/** The downloader's source (storage/market/download.ts), served from IB's historical bars. */
export interface IbOhlcvSource extends OhlcvSource {
  /** Historical requests sent (pacing retries included). */
  readonly requests: number;
  close(): void;
}

export function specFor(symbol: string, table: Readonly<Record<string, unknown>> = {}): ContractSpec {
  const raw = table[symbol] ?? { secType: symbol.includes("/") ? "CASH" : "STK" };
  const spec = parseSpec(symbol, raw);
  if (typeof spec === "string") throw new Error(`Cannot use IB contract for ${symbol}: ${spec}`);
  return spec;
}

export function ibOhlcvSource(options: IbSourceOptions): IbOhlcvSource {
  let conn: Connected | undefined;
  let requests = 0;
  const timeoutMs = options.timeoutMs ?? 30_000;
  return {
    get requests() {
      return requests;
    },
    async fetchOHLCV(symbol, timeframe = "1m", since = 0, limit = 1000, params = {}) {
      const tf = timeframe as Timeframe;
      if (!conn || !conn.api.isConnected) conn = await connect({ ...options, timeoutMs, maxReqPerSec: 40 });
      const until = Number(params.until ?? Date.now()) + 1;
      const spec = specFor(symbol, options.symbols);
      const rows: number[][] = [];
      for (let t = since; t < until && rows.length < limit; t += maxSpanMs(tf)) {
        const end = Math.min(until, t + maxSpanMs(tf));
        requests++;
        const bars = await fetchIbBars(conn.api, symbol, spec, tf, t, end, {
          timeoutMs,
          pacingBackoffMs: options.pacingBackoffMs ?? 15_000,
          pacingRetries: 5,
        });
        rows.push(...bars.map((b) => [b.ts, b.open, b.high, b.low, b.close, b.volume]));
      }
      return rows;
    },
    close() {
      if (conn?.api.isConnected) conn.api.disconnect();
      conn = undefined;
    },
  };
}
