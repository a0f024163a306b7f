/**
 * GET /metrics (also /api/v1/metrics): Prometheus text format, with the read rules of /status (account figures:
 * open on loopback unless a read token is set, a token everywhere else). Scrape with a bearer token:
 * `authorization: { credentials: <TRADEACTOR_READ_TOKEN> }` in the scrape config.
 */
import { ERROR } from "../api_schemas.ts";
import { BASE_HEADERS, refuse } from "../http.ts";
import { type MetricsInput, renderMetrics } from "../metrics.ts";
import type { RouteModule } from "./deps.ts";

export const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

export const metricsRoutes: RouteModule = (deps) => {
  const handle = async () => {
    let status: MetricsInput["status"];
    try {
      // The same shared, bounded read as /status and the WebSocket push.
      status = JSON.parse(await deps.statusText());
    } catch (err) {
      return refuse(503, `metrics unavailable: ${(err as Error).message}`);
    }
    const body = renderMetrics({
      actors: deps.host.stats(),
      status,
      treeFailed: deps.host.fatal !== undefined,
      rssBytes: Deno.memoryUsage().rss,
      now: Date.now(),
    });
    return new Response(body, { headers: { ...BASE_HEADERS, "content-type": PROMETHEUS_TEXT } });
  };
  return ["/api/v1/metrics", "/metrics"].map((path) => ({
    method: "GET" as const,
    path,
    access: "read" as const,
    mutating: false,
    tag: "system",
    summary: "Prometheus metrics: per-actor counters, fills, rejects, denials, equity, drawdown, feed lag, RSS",
    responses: {
      200: { description: "Prometheus text exposition format 0.0.4", contentType: PROMETHEUS_TEXT },
      503: { description: "the status could not be read", schema: ERROR },
    },
    handle,
  }));
};
