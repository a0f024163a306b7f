/** Positions (the portfolio, asked) and performance (the journal's equity curves and the backtest statistics). */
import { json } from "../http.ts";
import { ERROR, map, obj, PERFORMANCE_SUMMARY, POSITIONS, STRATEGY_ID, SYMBOL } from "../api_schemas.ts";
import { performanceDocument, positionsDocument } from "../readers.ts";
import { guarded, type RouteModule } from "./deps.ts";

export const PERFORMANCE = obj({
  account: PERFORMANCE_SUMMARY,
  strategies: map(PERFORMANCE_SUMMARY, "per strategy id"),
});

export const portfolioRoutes: RouteModule = (deps) => [
  {
    method: "GET",
    path: "/api/v1/positions",
    access: "read",
    mutating: false,
    tag: "portfolio",
    summary: "Open positions of the account and of each strategy, marked to the last price",
    query: { fields: { strategy: STRATEGY_ID, symbol: SYMBOL } },
    responses: {
      200: {
        description: "positions (`total` is empty when filtered by strategy)",
        schema: POSITIONS,
      },
      503: { description: "the portfolio did not answer", schema: ERROR },
    },
    handle: guarded(async ({ query }) =>
      json(
        await positionsDocument(deps, {
          ...(query.strategy !== undefined ? { strategy: query.strategy as string } : {}),
          ...(query.symbol !== undefined ? { symbol: query.symbol as string } : {}),
        }),
      )
    ),
  },
  {
    method: "GET",
    path: "/api/v1/performance",
    access: "read",
    mutating: false,
    tag: "portfolio",
    summary: "Equity, P&L and the backtest report's statistics, for the account and each strategy",
    responses: {
      200: { description: "performance", schema: PERFORMANCE },
      503: { description: "the journal or the risk guardian is unavailable", schema: ERROR },
    },
    handle: guarded(async () => json(await performanceDocument(deps))),
  },
];
