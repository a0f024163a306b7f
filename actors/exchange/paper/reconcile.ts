/** The paper venue's view of an order, for reconciliation: its book is the truth, as Binance's would be. */
import type { OrderReport } from "../venue.ts";
import type { PaperBook } from "./mapping.ts";

export function paperReport(book: PaperBook, clientOrderId: string): OrderReport | undefined {
  return book.reports.get(clientOrderId);
}
