/**
 * The minimal health and control endpoint of the daemon (main thread, 127.0.0.1 by default):
 *   GET /health  → 200 when the tree runs and the venue is reconciled, 503 otherwise; actor stats
 *   GET /status  → portfolio, risk state, adapter state
 *   POST /kill   → kill switch: cancel all, flatten, halt (body: { "reason"?: string, "flatten"?: boolean })
 *   POST /resume → trading back to ACTIVE after a halt (body: { "reason": string }, required: it is journaled)
 *   GET /        → the web dashboard (dashboard.ts)
 *   GET /ws      → WebSocket: the /status document pushed every second
 * No authentication beyond binding to loopback; set TRADEACTOR_CONTROL_TOKEN to require `Authorization: Bearer`.
 */
import type { Host } from "../runtime/mod.ts";
import { errorText } from "../runtime/mod.ts";
import { dashboardHtml } from "./dashboard.ts";

export interface ControlOptions {
  readonly host: Host;
  readonly hostname: string;
  readonly port: number;
  readonly paths: { readonly risk: string; readonly portfolio: string; readonly exchange: string };
  readonly token?: string;
  readonly askTimeoutMs?: number;
  readonly pushEveryMs?: number;
}

export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body, null, 2), { status, headers: { "content-type": "application/json" } });

export function startControlServer(options: ControlOptions): ControlServer {
  const { host, paths } = options;
  const timeout = options.askTimeoutMs ?? 3_000;
  const ask = (path: string, type: string) =>
    host.ask(path, { type }, timeout).catch((err) => ({ type: "Error", error: errorText(err) }));
  const status = async () => {
    const [portfolio, risk, adapter] = await Promise.all([
      ask(paths.portfolio, "GetPortfolio"),
      ask(paths.risk, "GetRiskState"),
      ask(paths.exchange, "GetAdapterState"),
    ]);
    return { portfolio, risk, adapter };
  };
  const sockets = new Set<WebSocket>();
  const server = Deno.serve({ hostname: options.hostname, port: options.port, onListen: () => {} }, async (req) => {
    const url = new URL(req.url);
    if (options.token && req.headers.get("authorization") !== `Bearer ${options.token}`) {
      return json({ error: "unauthorized" }, 401);
    }
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case "GET /":
        return new Response(dashboardHtml(), { headers: { "content-type": "text/html; charset=utf-8" } });
      case "GET /ws": {
        if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
          return json({ error: "expected a WebSocket" }, 400);
        }
        const { socket, response } = Deno.upgradeWebSocket(req);
        let timer: ReturnType<typeof setInterval> | undefined;
        const push = async () => {
          if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(await status()));
        };
        socket.onopen = () => {
          void push();
          timer = setInterval(push, options.pushEveryMs ?? 1_000);
        };
        socket.onclose = () => clearInterval(timer);
        socket.onerror = () => clearInterval(timer);
        sockets.add(socket);
        socket.addEventListener("close", () => sockets.delete(socket));
        return response;
      }
      case "GET /health": {
        const adapter = await ask(paths.exchange, "GetAdapterState") as { phase?: string };
        const ok = host.fatal === undefined && adapter.phase === "ready";
        return json({ ok, fatal: host.fatal?.message, venue: adapter, actors: host.stats() }, ok ? 200 : 503);
      }
      case "GET /status":
        return json(await status());
      case "POST /kill": {
        const body = await req.json().catch(() => ({})) as { reason?: unknown; flatten?: unknown };
        const reason = typeof body.reason === "string" ? body.reason : "kill switch from the control endpoint";
        try {
          host.tell(paths.risk, { type: "KillSwitch", reason, flatten: body.flatten !== false });
        } catch (err) {
          return json({ ok: false, error: errorText(err) }, 500);
        }
        return json({ ok: true, reason });
      }
      case "POST /resume": {
        const body = await req.json().catch(() => ({})) as { reason?: unknown };
        if (typeof body.reason !== "string" || body.reason.trim() === "") {
          return json({ ok: false, error: "a reason is required" }, 400);
        }
        host.tell(paths.risk, {
          type: "SetTradingState",
          state: "ACTIVE",
          reason: `resumed by operator: ${body.reason}`,
        });
        return json({ ok: true });
      }
      default:
        return json({ error: `no route ${route}` }, 404);
    }
  });
  return {
    url: `http://${options.hostname}:${server.addr.port}`,
    close: async () => {
      for (const socket of sockets) socket.close();
      await server.shutdown();
    },
  };
}
