/** The dashboard page and its WebSocket (the /status document pushed every second, bounded per client). */
import { dashboardPage } from "../dashboard/page.ts";
import { errorText } from "../../runtime/mod.ts";
import { BASE_HEADERS, refuse } from "../http.ts";
import { ERROR } from "../api_schemas.ts";
import type { RouteModule } from "./deps.ts";

export const pageRoutes: RouteModule = (deps) => [
  {
    method: "GET",
    path: "/",
    access: "public",
    mutating: false,
    tag: "pages",
    summary: "The web dashboard",
    responses: { 200: { description: "the page", contentType: "text/html" } },
    handle: async ({ req }) => {
      const host = req.headers.get("host") ?? "";
      let page;
      try {
        page = await dashboardPage();
      } catch (err) {
        return refuse(500, `the dashboard cannot be built: ${errorText(err)}`);
      }
      // The log tail needs a log behind /api/v1/logs, which only a daemon keeps.
      const logs = deps.logs !== undefined;
      return new Response(page.html({ logs }), {
        headers: {
          ...BASE_HEADERS,
          "content-type": "text/html; charset=utf-8",
          // Only the page's own script (by its hash) runs, talking to this host only; no framing (the kill switch
          // is on it), no form posts anywhere (every form is sent by the script as JSON).
          "content-security-policy": `default-src 'none'; script-src ${page.scriptHash}; style-src 'unsafe-inline'; ` +
            `connect-src 'self' ws://${host} wss://${host}; frame-ancestors 'none'; base-uri 'none'; ` +
            `form-action 'none'`,
        },
      });
    },
  },
  {
    method: "GET",
    path: "/ws",
    access: "read",
    mutating: false,
    tag: "pages",
    summary: "The dashboard's WebSocket: the /status document pushed every second",
    responses: {
      101: { description: "switching to the WebSocket" },
      400: { description: "not a WebSocket upgrade", schema: ERROR },
      503: { description: "too many WebSocket clients", schema: ERROR },
    },
    handle: ({ req }) => {
      if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") return refuse(400, "expected a WebSocket upgrade");
      if (deps.socketsFull()) return refuse(503, "too many WebSocket clients");
      const { socket, response } = Deno.upgradeWebSocket(req);
      deps.hub.add(socket);
      return response;
    },
  },
];
