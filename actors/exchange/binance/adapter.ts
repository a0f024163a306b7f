/** The Binance spot adapter: the generic adapter over the ccxt client (orders polled; see reconcile.ts). */
import { createAdapter } from "../adapter_core.ts";
import { binanceClient, parseBinanceClientConfig } from "./client.ts";

export const binanceAdapter = createAdapter((config, ctx) =>
  binanceClient(parseBinanceClientConfig(config.client, ctx.path), config.venue)
);

export default binanceAdapter;
