/**
 * The WebSocket channels: same Origin and credential rules as every read (the pipeline ran before the upgrade),
 * a snapshot on subscribe, then events as they happen (live_events.ts). Message shapes: channels.ts and README.
 */
import { refuse } from "../http.ts";
import { ERROR, SYMBOL } from "../api_schemas.ts";
import type { Channel } from "../channels.ts";
import { ordersSnapshot, performanceDocument, positionsDocument } from "../readers.ts";
import type { ResponseDoc, Route } from "../router.ts";
import { type ControlDeps, journalView, type RouteModule } from "./deps.ts";

const UPGRADE: { readonly [status: number]: ResponseDoc } = {
  101: { description: "switching to the WebSocket: a snapshot message, then events" },
  400: { description: "not a WebSocket upgrade", schema: ERROR },
  503: { description: "too many WebSocket clients", schema: ERROR },
};

function channelRoute(
  deps: ControlDeps,
  path: string,
  channel: Channel,
  summary: string,
  snapshot: (params: Readonly<Record<string, string>>) => Promise<Record<string, unknown>>,
): Route {
  return {
    method: "GET",
    path,
    access: "read",
    mutating: false,
    tag: "channels",
    summary,
    ...(path.includes("{symbol}") ? { params: { symbol: SYMBOL } } : {}),
    responses: UPGRADE,
    handle: ({ req, params }) => {
      if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") return refuse(400, "expected a WebSocket upgrade");
      if (deps.socketsFull()) return refuse(503, "too many WebSocket clients");
      const { socket, response } = Deno.upgradeWebSocket(req);
      deps.channels.add(socket, channel, params.symbol ?? "", () => snapshot(params));
      return response;
    },
  };
}

export const channelRoutes: RouteModule = (deps) => [
  channelRoute(
    deps,
    "/ws/market/{symbol}",
    "market",
    "Bars and ticks of one symbol as the venue adapter gets them (snapshot: the last bar)",
    async ({ symbol }) => ({ symbol, bar: deps.view ? (await journalView(deps)).lastBar(symbol) ?? null : null }),
  ),
  channelRoute(
    deps,
    "/ws/positions",
    "positions",
    "Positions after each fill and mark (coalesced, only when they changed)",
    () => positionsDocument(deps),
  ),
  channelRoute(
    deps,
    "/ws/orders",
    "orders",
    "Each order as it changes (snapshot: open orders and the 50 most recent others)",
    () => ordersSnapshot(deps),
  ),
  channelRoute(
    deps,
    "/ws/performance",
    "performance",
    "Equity of the account and of each strategy at every bar (snapshot: the performance summary)",
    () => performanceDocument(deps),
  ),
  channelRoute(
    deps,
    "/ws/alerts",
    "alerts",
    "Alerts as they are journaled (snapshot: the 50 most recent)",
    async () => ({ alerts: (await journalView(deps)).alerts().slice(-50).reverse() }),
  ),
  channelRoute(
    deps,
    "/ws/logs",
    "logs",
    "The daemon's log lines as they are written (snapshot: the 200 most recent, oldest first); filter on the client",
    () => Promise.resolve({ items: deps.logs?.records().slice(-200) ?? [] }),
  ),
];
