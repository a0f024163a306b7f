/** The venue contract against the paper venue behind the generic adapter (in process; bars drive matching). */
import { join } from "node:path";
import { createInProcessHost } from "../../../actors/runtime/mod.ts";
import { barAt, venueContract } from "./venue_contract.ts";
import { hosted, startTree } from "./venue_harness.ts";

const PAPER = new URL("../../../actors/exchange/paper/adapter.ts", import.meta.url).href;

venueContract("paper", async () => {
  const dir = await Deno.makeTempDir({ prefix: "venue-paper-" });
  const host = createInProcessHost({ logSink: () => {} });
  await startTree(host, {
    kind: "actor",
    id: "exchange",
    module: PAPER,
    config: {
      venue: "paper",
      db: `sqlite:${join(dir, "journal.sqlite")}`,
      downstream: "t/risk",
      client: { path: join(dir, "paper_venue.sqlite"), sim: { initialCash: 1_000_000, volumeShare: 0.5 } },
    },
  });
  const h = hosted({
    host,
    venue: "paper",
    symbol: "GOOG",
    price: 100,
    qty: 2,
    bars: true,
    cleanup: () => Deno.remove(dir, { recursive: true }),
  });
  await h.step();
  return {
    ...h,
    async partialFill(_cid, qty, limitPrice) {
      host.tell("t/exchange", { type: "Bar", bar: barAt("GOOG", h.nextTs(), 100, 2 * qty, limitPrice) });
      await host.idle();
    },
  };
}, { partialFills: true });
