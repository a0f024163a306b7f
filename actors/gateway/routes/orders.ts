/**
 * Orders from the journal: open and recent, newest first, filtered and paginated; and cancelling one open order
 * (admin), sent through the risk guardian as the strategy's own cancel would be.
 */
import { json, refuse } from "../http.ts";
import {
  ERROR,
  obj,
  ORDER,
  ORDER_STATUSES,
  page,
  PAGE_QUERY,
  SINCE,
  str,
  STRATEGY_ID,
  SYMBOL,
} from "../api_schemas.ts";
import { pageOf, sinceOf } from "../pagination.ts";
import type { BodyOf } from "../schema.ts";
import type { RequestContext } from "../router.ts";
import { isFinal, type OrderView } from "../views/orders_view.ts";
import type { ObjectSchema } from "../schema.ts";
import { type ControlDeps, guarded, journalView, type RouteModule, routeName } from "./deps.ts";
import { REASON_MAX } from "./system.ts";

export const CANCEL_ORDER_BODY: ObjectSchema = {
  fields: { reason: { type: "string", maxLength: REASON_MAX, nonBlank: true, description: "why (journaled)" } },
  required: ["reason"],
};

/** Cancels one open order: journaled (who, why), then a CancelOrder to the risk guardian, the only road to a venue. */
async function cancelOrder(deps: ControlDeps, ctx: RequestContext): Promise<Response> {
  const cid = ctx.params.clientOrderId;
  const strategyPath = deps.paths.strategy;
  if (!strategyPath) return refuse(503, "orders cannot be cancelled here (no strategies behind this endpoint)");
  const view = await journalView(deps);
  const order = view.orders.get(cid);
  if (!order) return refuse(404, `no order ${cid}`);
  if (isFinal(order)) return refuse(409, `order ${cid} is already ${order.status}`);
  const journaled = deps.audit({
    action: "order:cancel",
    principal: ctx.principal,
    why: ctx.body.reason as string,
    route: routeName(ctx.req),
    client: ctx.client,
    detail: { clientOrderId: cid, strategyId: order.strategyId },
  });
  if (!journaled.ok) return refuse(503, `nothing sent: the journal is unavailable (${journaled.error})`);
  // Its events go where the strategy's own cancel's would: to the strategy supervisor that owns the order.
  deps.host.tell(deps.riskPath, {
    type: "CancelOrder",
    clientOrderId: cid,
    strategyId: order.strategyId,
    replyTo: strategyPath(order.strategyId),
  });
  return json({ ok: true, clientOrderId: cid, strategyId: order.strategyId, sent: true }, 202);
}

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
  {
    method: "POST",
    path: "/api/v1/orders/{clientOrderId}/cancel",
    access: "admin",
    mutating: true,
    tag: "orders",
    summary: "Cancel one open order (through the risk guardian, as the strategy's own cancel)",
    params: {
      clientOrderId: { type: "string", maxLength: 100, pattern: "^[A-Za-z0-9_.:-]+$", description: "the order's id" },
    },
    body: CANCEL_ORDER_BODY,
    responses: {
      202: {
        description: "the cancel was sent; the order's end comes on /ws/orders",
        schema: obj({ ok: { type: "boolean" }, clientOrderId: str(), strategyId: str(), sent: { type: "boolean" } }),
      },
      404: { description: "no such order", schema: ERROR },
      409: { description: "the order is already finished", schema: ERROR },
      503: { description: "the journal is unavailable or no strategies run here", schema: ERROR },
    },
    handle: guarded((ctx) => cancelOrder(deps, ctx)),
  },
];
