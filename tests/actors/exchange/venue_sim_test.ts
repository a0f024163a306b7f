/** The venue contract against the simulated exchange (in process; bars drive matching; volume-share partial fills). */
import { createInProcessHost } from "../../../actors/runtime/mod.ts";
import { barAt, venueContract } from "./venue_contract.ts";
import { hosted, startTree } from "./venue_harness.ts";

const SIM = new URL("../../../actors/exchange/sim/sim_exchange.ts", import.meta.url).href;

venueContract("sim", async () => {
  const host = createInProcessHost({ logSink: () => {} });
  await startTree(host, {
    kind: "actor",
    id: "exchange",
    module: SIM,
    config: { sim: { venue: "sim", initialCash: 1_000_000, volumeShare: 0.5 } },
  });
  const h = hosted({ host, venue: "sim", symbol: "GOOG", price: 100, qty: 2, bars: true });
  await h.step();
  return {
    ...h,
    async partialFill(_cid, qty, limitPrice) {
      // Half of the bar's volume may fill: a bar trading 2 × qty through the limit fills qty.
      host.tell("t/exchange", { type: "Bar", bar: barAt("GOOG", h.nextTs(), 100, 2 * qty, limitPrice) });
      await host.idle();
    },
  };
}, { partialFills: true });
