/** Orders from the journal: open and recent, newest first, filtered and paginated. */
import { json } from "../http.ts";
import { ERROR, ORDER, ORDER_STATUSES, page, PAGE_QUERY, SINCE, STRATEGY_ID, SYMBOL } from "../api_schemas.ts";
import { pageOf, sinceOf } from "../pagination.ts";
import type { BodyOf } from "../schema.ts";
import { isFinal, type OrderView } from "../views/orders_view.ts";
import { type ControlDeps, guarded, journalView, type RouteModule } from "./deps.ts";

async function listOrders(deps: ControlDeps, query: BodyOf): Promise<Response> {
  const since = sinceOf(query);
  if (since instanceof Response) return since;
  const view = await journalView(deps);
  const { strategy, symbol, status } = query;
  const keep = (o: OrderView) =>
    (strategy === undefined || o.strategyId === strategy) &&
    (symbol === undefined || o.symbol === symbol) &&
    (status === undefined || (status === "open" ? !isFinal(o) : o.status === status)) &&
    (since === undefined || o.createdAt >= since);
  return json(pageOf([...view.orders.all()], query, keep));
}

export const orderRoutes: RouteModule = (deps) => [
  {
    method: "GET",
    path: "/api/v1/orders",
    access: "read",
    mutating: false,
    tag: "orders",
    summary: "Orders (open and recent, denied ones included), newest first, from the journal",
    query: {
      fields: {
        strategy: STRATEGY_ID,
        symbol: SYMBOL,
        status: {
          type: "string",
          maxLength: 20,
          enum: ["open", ...ORDER_STATUSES],
          description: "one status, or `open` for every order not finished",
        },
        since: SINCE,
        ...PAGE_QUERY,
      },
    },
    responses: {
      200: { description: "a page of orders (the newest 10,000 finished orders are kept)", schema: page(ORDER) },
      400: { description: "a bad filter", schema: ERROR },
      503: { description: "the journal is unavailable", schema: ERROR },
    },
    handle: guarded(({ query }) => listOrders(deps, query)),
  },
];
