/** The venue contract against the IB adapter through @stoqey/ib and the fake TWS (a real Worker). */
import { join } from "node:path";
import { createWorkerHost } from "../../../actors/runtime/mod.ts";
import { defaultInstruments, startFakeTws } from "../../fakes/tws.ts";
import { venueContract } from "./venue_contract.ts";
import { hosted, startTree } from "./venue_harness.ts";

const IB = new URL("../../../actors/exchange/ib/adapter.ts", import.meta.url).href;

venueContract("ib", async () => {
  const fake = startFakeTws({ instruments: defaultInstruments() });
  const dir = await Deno.makeTempDir({ prefix: "venue-ib-" });
  const host = createWorkerHost({ logSink: () => {}, heartbeatMs: 500, heartbeatTimeoutMs: 30_000 });
  await startTree(host, {
    kind: "actor",
    id: "exchange",
    module: IB,
    config: {
      venue: "ib",
      db: `sqlite:${join(dir, "journal.sqlite")}`,
      downstream: "t/risk",
      pollMs: 20,
      backoff: { minMs: 50, maxMs: 400 },
      client: { port: fake.port, clientId: 5, timeoutMs: 2_000, symbols: { AAPL: { secType: "STK" } } },
    },
  });
  const h = hosted({
    host,
    venue: "ib",
    symbol: "AAPL",
    price: 190,
    qty: 10,
    bars: false,
    cleanup: async () => {
      await fake.close();
      await Deno.remove(dir, { recursive: true });
    },
  });
  return {
    ...h,
    partialFill(cid, qty, limitPrice) {
      fake.fill(cid, qty, limitPrice);
      return Promise.resolve();
    },
  };
}, { partialFills: true });
