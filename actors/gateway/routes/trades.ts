/** Trades: the venue's fills, as journaled, newest first, filtered and paginated. */
import { json } from "../http.ts";
import { ERROR, page, PAGE_QUERY, SINCE, STRATEGY_ID, SYMBOL, TRADE } from "../api_schemas.ts";
import type { TradeView } from "../journal_view.ts";
import { pageOf, sinceOf } from "../pagination.ts";
import { guarded, journalView, type RouteModule } from "./deps.ts";

export const tradeRoutes: RouteModule = (deps) => [
  {
    method: "GET",
    path: "/api/v1/trades",
    access: "read",
    mutating: false,
    tag: "trades",
    summary: "Fills from the journal, newest first",
    query: { fields: { strategy: STRATEGY_ID, symbol: SYMBOL, since: SINCE, ...PAGE_QUERY } },
    responses: {
      200: { description: "a page of fills (the newest 100,000 are kept)", schema: page(TRADE) },
      400: { description: "a bad filter", schema: ERROR },
      503: { description: "the journal is unavailable", schema: ERROR },
    },
    handle: guarded(async ({ query }) => {
      const since = sinceOf(query);
      if (since instanceof Response) return since;
      const view = await journalView(deps);
      const keep = (t: TradeView) =>
        (query.strategy === undefined || t.strategyId === query.strategy) &&
        (query.symbol === undefined || t.symbol === query.symbol) &&
        (since === undefined || t.ts >= since);
      return json(pageOf(view.trades(), query, keep));
    }),
  },
];
