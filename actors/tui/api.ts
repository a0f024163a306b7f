/**
 * The TUI's side of /api/v1: one poll gathers every document the screen needs (each call may fail alone: the
 * screen keeps the last good value and says what failed), and the actions post with the admin token.
 */
import {
  type AlertDoc,
  type HealthDoc,
  type LogLevel,
  type LogLine,
  mergeLog,
  type MetricsDoc,
  type OrderDoc,
  type Snapshot,
  type StrategyDoc,
} from "./model.ts";
import type { StatusDocument } from "./status.ts";

export interface ApiOptions {
  readonly url: string;
  readonly token?: string;
  readonly timeoutMs?: number;
}

export interface LogFilter {
  readonly level: LogLevel;
  readonly strategy?: string;
}

class HttpError extends Error {
  constructor(readonly status: number, message: string, readonly reason = "") {
    super(message);
  }
}

export function createApi(options: ApiOptions) {
  const headers = (json: boolean): Record<string, string> => ({
    ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
    ...(json ? { "content-type": "application/json" } : {}),
  });
  const timeout = () => AbortSignal.timeout(options.timeoutMs ?? 3_000);

  async function get<T>(path: string, okStatuses: readonly number[] = [200]): Promise<T> {
    const res = await fetch(`${options.url}${path}`, { headers: headers(false), signal: timeout() });
    const text = await res.text();
    if (!okStatuses.includes(res.status)) {
      let reason = "";
      try {
        reason = String(JSON.parse(text).error ?? "");
      } catch { /* not JSON: the status says enough */ }
      const hint = res.status === 401 ? " (a token is needed: --token or --config)" : "";
      throw new HttpError(
        res.status,
        `GET ${path.split("?")[0]} answered ${res.status}${hint}${reason && `: ${reason}`}`,
        reason,
      );
    }
    return JSON.parse(text) as T;
  }

  /** A mutating call: the answer's body, or the daemon's reason for refusing it. */
  async function post(path: string, body: unknown): Promise<{ ok: boolean; status: number; error?: string }> {
    try {
      const res = await fetch(`${options.url}${path}`, {
        method: "POST",
        headers: headers(true),
        body: JSON.stringify(body),
        signal: timeout(),
      });
      const doc = await res.json().catch(() => ({})) as { error?: string };
      return res.ok ? { ok: true, status: res.status } : {
        ok: false,
        status: res.status,
        error: doc.error ?? `answered ${res.status}`,
      };
    } catch (err) {
      return { ok: false, status: 0, error: `cannot reach the daemon: ${(err as Error).message}` };
    }
  }

  /** One poll: every document at once; what fails keeps its previous value and is listed in `errors`. */
  async function poll(previous: Snapshot, filter: LogFilter, now: () => number): Promise<Snapshot> {
    const errors: string[] = [];
    const take = async <T>(call: Promise<T>, old: T | undefined): Promise<T | undefined> => {
      try {
        return await call;
      } catch (err) {
        errors.push((err as Error).message);
        return old;
      }
    };
    const logQuery = new URLSearchParams({ level: filter.level, limit: "200" });
    if (filter.strategy) logQuery.set("strategy", filter.strategy);
    const [status, health, strategies, orders, metrics, alerts, log] = await Promise.all([
      take(get<StatusDocument>("/api/v1/status"), previous.status),
      // Health answers 503 with its reasons when the daemon is degraded: that is a document too.
      take(get<HealthDoc>("/api/v1/system/health", [200, 503]), previous.health),
      take(get<{ strategies: StrategyDoc[] }>("/api/v1/strategies").then((d) => d.strategies), previous.strategies),
      take(get<{ items: OrderDoc[] }>("/api/v1/orders?status=open&limit=200").then((d) => d.items), previous.orders),
      take(get<MetricsDoc>("/api/v1/risk/metrics"), previous.metrics),
      take(get<{ items: AlertDoc[] }>("/api/v1/risk/alerts?limit=100").then((d) => d.items), previous.alerts),
      get<{ items: LogLine[] }>(`/api/v1/logs?${logQuery}`).then(
        (d) => ({ kind: "lines", lines: mergeLog(previous.log.kind === "lines" ? previous.log.lines : [], d.items) }),
        (err) =>
          // 404: a daemon from before the log endpoint; 503: an endpoint that keeps no log. Neither is a failure.
          err instanceof HttpError && err.status === 404
            ? { kind: "unavailable", why: "log unavailable: this daemon has no /api/v1/logs" }
            : err instanceof HttpError && err.status === 503
            ? { kind: "unavailable", why: `log unavailable: ${err.reason || "the daemon keeps no log"}` }
            : (errors.push((err as Error).message), previous.log),
      ) as Promise<Snapshot["log"]>,
    ]);
    // Every call failed to connect: one line says so, not seven.
    const down = errors.length >= 6 && errors.every((e) => !/ answered \d+/.test(e));
    const reached = errors.length < 6;
    return {
      url: previous.url,
      ...(status ? { status } : {}),
      ...(health ? { health } : {}),
      ...(strategies ? { strategies } : {}),
      ...(orders ? { orders } : {}),
      ...(metrics ? { metrics } : {}),
      ...(alerts ? { alerts } : {}),
      log,
      errors: down ? [`cannot reach the daemon at ${options.url}: ${errors[0]}`] : errors,
      ...(reached ? { fetchedAt: now() } : previous.fetchedAt !== undefined ? { fetchedAt: previous.fetchedAt } : {}),
    };
  }

  return {
    poll,
    kill: (reason: string, flatten: boolean) => post("/api/v1/system/kill", { reason, flatten }),
    resume: (reason: string) => post("/api/v1/system/resume", { reason }),
    stop: (id: string, flatten: boolean, reason: string) =>
      post(`/api/v1/strategies/${encodeURIComponent(id)}/stop`, { flatten, reason }),
    start: (id: string, reason: string) => post(`/api/v1/strategies/${encodeURIComponent(id)}/start`, { reason }),
  };
}

export type Api = ReturnType<typeof createApi>;
