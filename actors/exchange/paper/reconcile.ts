/** The paper venue's view of an order, for reconciliation: its book is the truth, as Binance's would be. */
import type { OrderReport } from "../venue.ts";
import type { PaperVenue } from "./book.ts";

export function paperReport(venue: PaperVenue, clientOrderId: string): OrderReport | undefined {
  return venue.report(clientOrderId);
}
