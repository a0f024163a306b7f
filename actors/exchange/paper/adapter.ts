/** The paper exchange adapter: the generic adapter over the durable paper venue. */
import { createAdapter } from "../adapter_core.ts";
import { openPaperVenue, paperClient, parsePaperClientConfig } from "./client.ts";

export const paperAdapter = createAdapter((config, ctx) => {
  const venue = openPaperVenue(parsePaperClientConfig(config.client, ctx.path, config.venue));
  return paperClient(venue, config.venue);
});

export default paperAdapter;
