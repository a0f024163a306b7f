/**
 * The paper venue as a `VenueClient`: the simulated exchange's matching engine, durable like a real venue. Its book
 * lives in its own SQLite file (not the daemon's journal, see book.ts and store.ts), so a daemon killed at any
 * instant finds the venue as it left it and must reconcile with it, exactly as with Binance. It dedupes on client
 * order id and logs every submit it receives (`venue_submits`), which is how tests prove no order was sent twice.
 */
import type { OrderRequest } from "../../protocol/mod.ts";
import { ConfigError } from "../../runtime/mod.ts";
import { DEFAULT_SIM_CONFIG, type SimConfig } from "../sim/matching.ts";
import type { SubmitContext, VenueClient } from "../venue.ts";
import type { PaperVenue } from "./book.ts";
import { paperReport } from "./reconcile.ts";

export { openPaperVenue, type PaperVenue } from "./book.ts";

export interface PaperClientConfig {
  /** SQLite file of the venue's book. */
  readonly path: string;
  readonly sim: SimConfig;
}

export function parsePaperClientConfig(raw: unknown, actor: string, venue: string): PaperClientConfig {
  const c = (raw ?? {}) as { path?: unknown; sim?: Partial<SimConfig> };
  if (typeof c.path !== "string" || c.path.length === 0) throw new ConfigError(actor, "client.path", "required");
  const sim = { ...DEFAULT_SIM_CONFIG, ...c.sim, venue };
  if (!(sim.initialCash > 0)) throw new ConfigError(actor, "client.sim.initialCash", "must be > 0");
  return { path: c.path, sim };
}

/** The paper venue as a `VenueClient` (in-process calls, so it is never unavailable). */
export function paperClient(venue: PaperVenue, name: string): VenueClient {
  return {
    name,
    connect: () => Promise.resolve(),
    submit: (order: OrderRequest, context: SubmitContext) => Promise.resolve(venue.submit(order, context.now)),
    cancel: (cid, _symbol, now) => Promise.resolve(venue.cancel(cid, now)),
    modify: (request, context) => Promise.resolve(venue.modify(request, context.now)),
    report: (cid) => Promise.resolve(paperReport(venue, cid)),
    openOrders: () => Promise.resolve(venue.openOrders()),
    balances: () => {
      const { balance, equity } = venue.account();
      return Promise.resolve([
        { currency: "USD", free: balance, locked: 0 },
        { currency: "EQUITY", free: equity, locked: 0 },
      ]);
    },
    onBar: (bar) => Promise.resolve(venue.bar(bar)),
    setStrategyCapital: (strategyId, capital) => Promise.resolve(venue.setStrategyCapital(strategyId, capital)),
    close: () => Promise.resolve(venue.close()),
  };
}
