/**
 * The daemon's control endpoint (main thread, 127.0.0.1 by default). Routes (routes/*):
 *   GET  /api/v1/system/health (= /health)   200 or 503 with reasons (health.ts); no token needed
 *   GET  /health/live                         200 while the process answers; no token, no data
 *   GET  /api/v1/status (= /status)           portfolio, risk state, adapter state (bounded)
 *   POST /api/v1/system/kill (= /kill)        kill switch { "reason"?: string, "flatten"?: boolean }
 *   POST /api/v1/system/resume (= /resume)    back to ACTIVE { "reason": string }
 *   GET|POST|DELETE /api/v1/session           browser login with a token → HttpOnly SameSite=Strict cookie
 *   GET  /  and  /ws                          the dashboard and its status push
 *   GET  /api/v1/{strategies,positions,orders,trades,performance,risk/…}, POST /api/v1/risk/limits  (routes/*)
 *   GET  /ws/{market/{symbol},positions,orders,performance,alerts,logs}   WebSocket channels (channels.ts)
 *   GET  /api/v1/openapi.json                 the OpenAPI 3.1 document of all of it (openapi.ts)
 *
 * Every request passes the same pipeline before a handler runs, denying by default:
 *   rate limit per client (429 + Retry-After; liveness excepted) → Host is ours (421) → route exists (404/405) →
 *   a browser's Origin is ours (403) → mutating calls: Content-Type application/json (415), not cross-site →
 *   credential for the route's access (401/403) → path and query parameters (400) → strict JSON body within 64 KB
 *   (413/400). Handlers only talk to actors by messages or read the journal (journal_view.ts).
 */
import { errorText, type Host, type LogSink, stderrSink } from "../runtime/mod.ts";
import type { Journal } from "../../storage/journal/types.ts";
import { createChannels } from "./channels.ts";
import { createJournalView } from "./journal_view.ts";
import type { Statistics } from "./views/equity_view.ts";
import { liveEvents } from "./live_events.ts";
import { positionsDocument } from "./readers.ts";
import { GATEWAY_TAP, openTap } from "./tap.ts";
import { channelRoutes } from "./routes/channels.ts";
import { logRoutes } from "./routes/logs.ts";
import type { LogTail } from "./log_tail.ts";
import { openApiRoutes } from "./routes/openapi.ts";
import { orderRoutes } from "./routes/orders.ts";
import { portfolioRoutes } from "./routes/portfolio.ts";
import { riskRoutes } from "./routes/risk.ts";
import { strategyRoutes } from "./routes/strategies.ts";
import { tradeRoutes } from "./routes/trades.ts";
import { createAudit } from "./audit.ts";
import { authenticate, createSessions, type Principal, type Tokens } from "./auth.ts";
import { readJson } from "./body.ts";
import { boundedJson, type ClipLimits, DEFAULT_CLIP } from "./clip.ts";
import type { FeedPolicy } from "./feed_health.ts";
import { assessHealth } from "./health.ts";
import { refuse } from "./http.ts";
import { allowedHostNames, hostNameOf, isJsonContentType, isLoopback, originAllowed } from "./origin.ts";
import { createRateLimiter, type RateLimit } from "./rate_limit.ts";
import { createRouter, type Route } from "./router.ts";
import { checkBody, checkParams, checkQuery } from "./schema.ts";
import { createSnapshotSource } from "./snapshot.ts";
import { watchTree } from "./tree_watch.ts";
import { createPushHub } from "./ws_push.ts";
import type { ControlDeps, RouteModule } from "./routes/deps.ts";
import { pageRoutes } from "./routes/pages.ts";
import { sessionRoutes } from "./routes/session.ts";
import { systemRoutes } from "./routes/system.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { type StrategyControl, strategyControlRoutes } from "./routes/strategy_control.ts";
import { backtestRoutes, type BacktestService } from "./routes/backtest.ts";

export interface ControlLimits {
  readonly bodyBytes: number;
  readonly bodyTimeoutMs: number;
  readonly rate: RateLimit;
  readonly wsBufferedBytes: number;
  readonly wsMaxSockets: number;
  /** Per channel subscriber: events held while its snapshot is read. */
  readonly wsMaxQueued: number;
  readonly sessionTtlMs: number;
  readonly maxSessions: number;
  readonly clip: ClipLimits;
}

export const DEFAULT_LIMITS: ControlLimits = {
  bodyBytes: 64 * 1024,
  bodyTimeoutMs: 10_000,
  // A dashboard and a TUI refresh once a second each; scripts get a generous burst.
  rate: { burst: 60, perSecond: 20 },
  wsBufferedBytes: 4 * 1024 * 1024,
  wsMaxSockets: 32,
  wsMaxQueued: 10_000,
  sessionTtlMs: 12 * 3_600_000,
  maxSessions: 1_000,
  clip: DEFAULT_CLIP,
};

export interface ControlOptions {
  readonly host: Host;
  readonly hostname: string;
  readonly port: number;
  readonly paths: {
    readonly risk: string;
    readonly portfolio: string;
    readonly exchange: string;
    /** Where accepted mutating calls are journaled (the journal actor). */
    readonly journal: string;
    /** The feed actor: its normal exit is "replay ended", not a stale feed. */
    readonly feed?: string;
    readonly strategy?: (id: string) => string;
  };
  /** The admin token is required for every mutating call; without one, nothing can be changed over HTTP. */
  readonly tokens: Tokens;
  /** Host names besides loopback and the bound name (a DNS name in front of the daemon). */
  readonly allowedHosts?: readonly string[];
  /** Browser origins besides the daemon's own (e.g. https://ops.example.com behind a proxy). */
  readonly allowedOrigins?: readonly string[];
  readonly feed?: FeedPolicy;
  /**
   * Several venues: every venue, the default first, with its adapter's and feed's paths and the feed's freshness
   * policy (none: the venue has no feed). Health and the status then cover each one.
   */
  readonly venues?: readonly VenueWatch[];
  readonly limits?: Partial<ControlLimits>;
  readonly askTimeoutMs?: number;
  readonly pushEveryMs?: number;
  /** Read by the orders, trades, alerts and performance routes (never written); without it they answer 503. */
  readonly journal?: Journal;
  /** The backtest report's statistics for /performance (backtest/report, handed in: actors/ do not import it). */
  readonly statistics?: Statistics;
  /** The host-thread mailbox the tree's tap sends to (tap.ts); default GATEWAY_TAP. */
  readonly tapPath?: string;
  /** /ws/positions: at most one read of the portfolio per this many ms (default 100). */
  readonly positionsDelayMs?: number;
  /** Wall clock (rate limits, sessions, feed freshness); injected by tests. */
  readonly now?: () => number;
  readonly logSink?: LogSink;
  /** Strategies managed while running (the daemon's); absent: those routes answer 503. */
  readonly strategies?: StrategyControl;
  /** Backtest jobs (a Worker pool beside the daemon); absent: those routes answer 503. */
  readonly backtests?: BacktestService;
  /** The daemon's recent log lines (GET /api/v1/logs, /ws/logs). */
  readonly logs?: LogTail;
}

export interface VenueWatch {
  readonly name: string;
  readonly exchange: string;
  readonly feed?: { readonly path: string; readonly policy: FeedPolicy };
}

export interface ControlServer {
  readonly url: string;
  /** Connected /ws clients and how many were dropped for not keeping up. */
  pushStats(): { readonly sockets: number; readonly dropped: number };
  /** The same for the /ws/* channels, and the messages sent. */
  channelStats(): { readonly sockets: number; readonly dropped: number; readonly sent: number };
  close(): Promise<void>;
}

export class ControlSecurityError extends Error {
  override name = "ControlSecurityError";
}

/** Why a control endpoint on this hostname with these tokens must not start, if it must not. */
export function controlSecurityProblem(hostname: string, tokens: Tokens): string | undefined {
  if (isLoopback(hostname) || tokens.admin !== undefined) return undefined;
  return `control.hostname ${JSON.stringify(hostname)} is not a loopback address: set TRADEACTOR_CONTROL_TOKEN ` +
    `(at least 16 characters) so that nobody else on the network can read or control the daemon, or bind 127.0.0.1`;
}

const UNAUTHORIZED = { "www-authenticate": 'Bearer realm="tradeactor"' };

/** Every route module of the endpoint, one per resource; the OpenAPI document lists what these return. */
export const ROUTE_MODULES: readonly RouteModule[] = [
  systemRoutes,
  sessionRoutes,
  pageRoutes,
  strategyRoutes,
  strategyControlRoutes,
  backtestRoutes,
  portfolioRoutes,
  orderRoutes,
  tradeRoutes,
  riskRoutes,
  channelRoutes,
  logRoutes,
  openApiRoutes,
  metricsRoutes,
];

export function startControlServer(options: ControlOptions): ControlServer {
  const problem = controlSecurityProblem(options.hostname, options.tokens);
  if (problem) throw new ControlSecurityError(problem);
  const { host, paths, tokens } = options;
  const limits: ControlLimits = { ...DEFAULT_LIMITS, ...options.limits };
  const now = options.now ?? Date.now;
  const sink = options.logSink ?? stderrSink();
  const startedAt = now();
  // On loopback anyone on this machine may read, unless a read token says otherwise; elsewhere everything needs one.
  const readsProtected = !isLoopback(options.hostname) || tokens.read !== undefined;
  const hostNames = allowedHostNames(options.hostname, options.allowedHosts ?? []);
  const origins = new Set(options.allowedOrigins ?? []);
  const limiter = createRateLimiter(limits.rate, now);
  const sessions = createSessions({ ttlMs: limits.sessionTtlMs, max: limits.maxSessions, now });
  const venueList = options.venues;
  const snapshot = createSnapshotSource(
    host,
    venueList ? { ...paths, venues: Object.fromEntries(venueList.map((v) => [v.name, v.exchange])) } : paths,
    options.askTimeoutMs ?? 3_000,
  );
  const watch = watchTree(host, now);
  // Shared while in flight like the snapshot itself: a burst of readers costs one clip and one serialisation.
  let statusInFlight: Promise<string> | undefined;
  const statusText = () =>
    statusInFlight ??= snapshot().then((doc) => boundedJson(doc, limits.clip)).finally(
      () => (statusInFlight = undefined),
    );
  const hub = createPushHub(
    {
      everyMs: options.pushEveryMs ?? 1_000,
      maxBufferedBytes: limits.wsBufferedBytes,
      maxSockets: limits.wsMaxSockets,
    },
    statusText,
  );
  const askTimeoutMs = options.askTimeoutMs ?? 3_000;
  const view = options.journal
    ? createJournalView(options.journal, options.statistics ? { statistics: options.statistics } : {})
    : undefined;
  const channels = createChannels({
    maxBufferedBytes: limits.wsBufferedBytes,
    maxSockets: limits.wsMaxSockets,
    maxQueued: limits.wsMaxQueued,
  });
  const feedEnded = (feed = paths.feed) => {
    if (!feed) return false;
    if (watch.exited(feed)) return true;
    const stats = host.stats().find((s) => s.path === feed);
    return stats !== undefined && !stats.running && !watch.restarting().includes(feed);
  };
  /** Each venue's feed as health judges it (several venues). */
  const venueFeeds = () =>
    venueList && Object.fromEntries(venueList.map((v) => [
      v.name,
      v.feed
        ? {
          policy: v.feed.policy,
          startedAt: Math.max(startedAt, watch.lastStart(v.exchange) ?? 0),
          ended: feedEnded(v.feed.path),
        }
        : null,
    ]));
  const deps: ControlDeps = {
    host,
    riskPath: paths.risk,
    paths,
    ask: (path, msg) => host.ask(path, msg, askTimeoutMs) as unknown as Promise<Record<string, unknown>>,
    health: async () =>
      assessHealth({
        snapshot: await snapshot(),
        fatal: host.fatal?.message,
        restarting: watch.restarting(),
        feed: {
          policy: options.feed ?? { kind: "unpaced" },
          startedAt: Math.max(startedAt, watch.lastStart(paths.exchange) ?? 0),
          ended: feedEnded(),
        },
        ...(venueList ? { venues: venueFeeds() } : {}),
        strategyPath: paths.strategy ?? ((id) => id),
        now: now(),
      }),
    statusText,
    audit: createAudit(host, paths.journal, now),
    sessions,
    tokens,
    hub,
    ...(options.strategies ? { strategies: options.strategies } : {}),
    ...(options.backtests ? { backtests: options.backtests } : {}),
    view,
    channels,
    ...(options.logs ? { logs: options.logs } : {}),
    socketsFull: () => hub.stats().sockets + channels.count() >= limits.wsMaxSockets,
    readsProtected,
    routes: () => router.routes,
  };
  const router = createRouter(ROUTE_MODULES.flatMap((module) => module(deps)));
  const events = liveEvents({
    channels,
    view,
    positions: () => positionsDocument(deps),
    positionsDelayMs: options.positionsDelayMs ?? 100,
    warn: (msg, err) => sink({ ts: now(), level: "warn", actor: "control", msg, error: errorText(err) }),
  });
  const closeTap = openTap(host, events, options.tapPath ?? GATEWAY_TAP);
  const stopLogPush = options.logs?.subscribe((record) => {
    if (channels.has("logs")) channels.publish("logs", "", { type: "log", record });
  });

  /** The caller's right to this route, or the refusal. */
  const admit = (route: Route, principal: Principal | undefined, invalid: boolean): Response | undefined => {
    const missing = invalid
      ? "the token or session is not valid"
      : "a token is required (Authorization: Bearer …, or a session from POST /api/v1/session)";
    switch (route.access) {
      case "public":
        return undefined;
      case "read":
        return readsProtected && !principal ? refuse(401, missing, UNAUTHORIZED) : undefined;
      case "admin":
        if (tokens.admin === undefined) return refuse(403, "no admin token is configured (TRADEACTOR_CONTROL_TOKEN)");
        if (!principal) return refuse(401, missing, UNAUTHORIZED);
        return principal.scope === "admin" ? undefined : refuse(403, "a read-only token cannot change anything");
    }
  };

  const handle = async (req: Request, client: string): Promise<Response> => {
    const url = new URL(req.url);
    const match = router.match(req.method, url.pathname);
    // Liveness is never metered: a flood from one address must not make an orchestrator restart the daemon.
    if (match.kind !== "found" || !match.route.unmetered) {
      const rate = limiter.take(client);
      if (!rate.ok) {
        await req.body?.cancel().catch(() => {});
        return refuse(429, `too many requests; retry after ${rate.retryAfterS} s`, {
          "retry-after": String(rate.retryAfterS),
        });
      }
    }
    const hostHeader = req.headers.get("host") ?? "";
    const name = hostNameOf(hostHeader);
    if (name === undefined || !hostNames.has(name)) {
      return refuse(
        421,
        `this daemon does not answer to host ${JSON.stringify(hostHeader.slice(0, 100))}; ` +
          `if the name is yours, add it to TRADEACTOR_CONTROL_HOSTS`,
      );
    }
    if (match.kind === "none") return refuse(404, `no route ${req.method} ${url.pathname.slice(0, 200)}`);
    if (match.kind === "wrong_method") {
      return refuse(405, `${req.method} is not allowed here`, { allow: match.allowed.join(", ") });
    }
    const { route, params } = match;
    const origin = req.headers.get("origin");
    if (origin !== null && !originAllowed(origin, hostHeader, origins)) {
      return refuse(403, `requests from origin ${JSON.stringify(origin.slice(0, 200))} are not allowed`);
    }
    if (route.mutating) {
      const site = req.headers.get("sec-fetch-site");
      if (site !== null && site !== "same-origin" && site !== "none") {
        return refuse(403, `a ${site} request cannot change anything`);
      }
      if (!isJsonContentType(req.headers.get("content-type"))) {
        return refuse(415, "a request that changes something needs Content-Type: application/json");
      }
    }
    const auth = authenticate(req, tokens, sessions);
    const principal = auth === "invalid" ? undefined : auth;
    const refused = admit(route, principal, auth === "invalid");
    if (refused) return refused;

    if (route.params) {
      const error = checkParams(route.params, params);
      if (error) return refuse(400, error);
    }
    let query = {};
    if (route.query || url.search !== "") {
      const checked = checkQuery(route.query ?? { fields: {} }, url.searchParams);
      if (!checked.ok) return refuse(400, checked.error);
      query = checked.value;
    }
    let body = {};
    if (route.body) {
      const read = await readJson(req, {
        maxBytes: limits.bodyBytes,
        timeoutMs: limits.bodyTimeoutMs,
        ...(route.emptyBody ? { emptyAs: route.emptyBody } : {}),
      });
      if (!read.ok) return refuse(read.status, read.error);
      const checked = checkBody(route.body, read.value);
      if (!checked.ok) return refuse(400, checked.error);
      body = checked.value;
    }
    return await route.handle({
      req,
      params,
      principal,
      canRead: !readsProtected || !!principal,
      body,
      query,
      client,
    });
  };

  const server = Deno.serve({
    hostname: options.hostname,
    port: options.port,
    onListen: () => {},
    // The detail goes to the log, not to a caller who may be anyone.
    onError: (err) => {
      sink({ ts: now(), level: "error", actor: "control", msg: "request failed", error: errorText(err) });
      return refuse(500, "internal error");
    },
  }, (req, info) => handle(req, (info.remoteAddr as Deno.NetAddr).hostname ?? "unknown"));
  const shown = options.hostname.includes(":") ? `[${options.hostname}]` : options.hostname;
  return {
    url: `http://${shown}:${server.addr.port}`,
    pushStats: () => hub.stats(),
    channelStats: () => channels.stats(),
    close: async () => {
      closeTap();
      stopLogPush?.();
      events.close();
      channels.close();
      hub.close();
      watch.close();
      await server.shutdown();
    },
  };
}
