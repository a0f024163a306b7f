/** The Interactive Brokers adapter: the generic adapter over the TWS / IB Gateway client (see client.ts). */
import { createAdapter } from "../adapter_core.ts";
import { ibClient, parseIbClientConfig } from "./client.ts";

export const ibAdapter = createAdapter((config, ctx) =>
  ibClient(parseIbClientConfig(config.client, ctx.path), config.venue, { db: config.db, log: ctx.log })
);

export default ibAdapter;
