/**
 * The venue contract against the Binance adapter through ccxt and the fake Binance (a real Worker). The fake fills
 * resting orders only in full, so the partial-fill scenario is skipped here.
 */
import { join } from "node:path";
import { createWorkerHost } from "../../../actors/runtime/mod.ts";
import { startFakeTrading } from "../../fakes/binance_trading.ts";
import { venueContract } from "./venue_contract.ts";
import { hosted, startTree } from "./venue_harness.ts";

const BINANCE = new URL("../../../actors/exchange/binance/adapter.ts", import.meta.url).href;

venueContract("binance", async () => {
  const fake = startFakeTrading({
    markets: [{ id: "BTCUSDT", base: "BTC", quote: "USDT" }],
    apiKey: "k",
    secret: "s",
    prices: { BTCUSDT: 50_000 },
    balances: { USDT: 1_000_000, BTC: 0 },
  });
  const dir = await Deno.makeTempDir({ prefix: "venue-binance-" });
  const host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
  await startTree(host, {
    kind: "actor",
    id: "exchange",
    module: BINANCE,
    config: {
      venue: "binance",
      db: `sqlite:${join(dir, "journal.sqlite")}`,
      downstream: "t/risk",
      pollMs: 50,
      backoff: { minMs: 50, maxMs: 400 },
      client: { apiKey: "k", secret: "s", apiUrl: fake.url, timeoutMs: 2_000, symbols: ["BTC/USDT"] },
    },
  });
  return hosted({
    host,
    venue: "binance",
    symbol: "BTC/USDT",
    price: 50_000,
    qty: 0.01,
    bars: false,
    cleanup: async () => {
      await fake.close();
      await Deno.remove(dir, { recursive: true });
    },
  });
}, { partialFills: false });
