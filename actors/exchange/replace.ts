/**
 * Modify by cancel, then replace, for venues that cannot change an order in place (Binance spot). The strategy's
 * order keeps its client order id; at the venue it lives as versions: the original, then `${id}-r1`, `${id}-r2`...
 * (Binance allows `[.A-Za-z0-9:/_-]`, so no `~`). The adapter (adapter_core.ts) journals each replacement before it
 * places it, and maps the live version's reports back to the strategy's id (`asOriginal`), so the risk guardian,
 * the portfolio and the strategy see one order whose fills add up across versions.
 *
 * Steps, each safe to repeat after a crash (never two live versions):
 * 1. cancel the live version; if the venue says it filled or closed first, the modify is refused (fills reported);
 * 2. journal the replacement (`Replaced`: its id, the quantity filled before it, the order it is);
 * 3. place it; the venue dedupes on its id, so a replay after a crash adopts it instead of placing it twice.
 */
import type { OrderRequest } from "../protocol/mod.ts";
import type { OrderReport } from "./venue.ts";

/** The live version of a replaced order (journaled in a `Replaced` record). */
export interface Version {
  /** The venue's client order id of the live version. */
  readonly venueCid: string;
  /** Quantity filled by the earlier versions. */
  readonly base: number;
  /** 1 = the first replacement (`-r1`). */
  readonly version: number;
  /** The modify that placed it: a replayed one goes straight to step 3. */
  readonly modifyId: string;
  /** The order placed at the venue (its id is `venueCid`, its qty what was left to fill). */
  readonly order: OrderRequest;
}

export const versionId = (clientOrderId: string, version: number) => `${clientOrderId}-r${version}`;

/** The live version's report as the strategy's order: its id, quantities and fills counted from the first version. */
export function asOriginal(report: OrderReport, clientOrderId: string, base: number): OrderReport {
  return {
    ...report,
    clientOrderId,
    qty: base + report.qty,
    fills: report.fills.map((f) => ({ ...f, clientOrderId })),
  };
}

export function filledOf(report: OrderReport): number {
  return report.fills.reduce((sum, f) => sum + f.qty, 0);
}
