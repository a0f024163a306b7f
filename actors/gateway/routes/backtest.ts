/**
 * Backtest jobs, run in a Worker pool beside the daemon (off the trading path) with bounded concurrency and a bounded
 * queue:
 *   POST   /api/v1/backtest                    queue a job: the options of `deno task backtest` (admin); 202, or 429
 *                                              with Retry-After when the queue is full, 403 without api.dataDirs, 503 while stopping
 *   GET    /api/v1/backtest                    the jobs, newest first (read)
 *   GET    /api/v1/backtest/{id}/status        state and progress (read)
 *   GET    /api/v1/backtest/{id}/results       the report JSON and links to its files (read; 409 until done)
 *   GET    /api/v1/backtest/{id}/files/{name}  report.html, report.json, trades.csv, equity.csv (read)
 *   DELETE /api/v1/backtest/{id}               cancel a queued or running job; delete a finished one (admin)
 * The service (backtest/jobs/) is given to the daemon by the command line: actors/ never imports backtest/.
 */
import { BASE_HEADERS, json, refuse } from "../http.ts";
import type { RequestContext, Route } from "../router.ts";
import type { FieldSchema, ObjectSchema } from "../schema.ts";
import type { RouteModule } from "./deps.ts";
import { type Answer, auditedWhy, type Why } from "./strategy_control.ts";
import { REASON_MAX } from "./system.ts";

/** A report file of a finished job, as served. */
export interface JobFile {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
}

export interface BacktestService {
  /** Checks the options as `deno task backtest` does (same code), then queues the job. */
  submit(options: Readonly<Record<string, unknown>>, why: Why): Promise<Answer>;
  list(): Promise<Answer>;
  status(id: string): Promise<Answer>;
  results(id: string): Promise<Answer>;
  file(id: string, name: string): Promise<JobFile | Extract<Answer, { ok: false }>>;
  cancel(id: string, why: Why): Promise<Answer>;
}

export const JOB_FILES = ["report.html", "report.json", "trades.csv", "equity.csv"] as const;

const num = (rule: Omit<Extract<FieldSchema, { type: "number" }>, "type"> = {}): FieldSchema => ({
  type: "number",
  ...rule,
});

/** The options of `deno task backtest` (its --config file keys); their values are checked by the same parser. */
export const BACKTEST_BODY: ObjectSchema = {
  description: "Backtest options, as in a `deno task backtest --config` file; data paths must be under the " +
    "configured api.dataDirs, strategies built-ins or files under api.strategiesDir.",
  fields: {
    strategy: { type: "string", maxLength: 200, nonBlank: true },
    params: {
      type: "map",
      values: { type: "scalar", maxLength: 200 },
      maxProperties: 50,
      keyPattern: { source: "[A-Za-z_][A-Za-z0-9_]{0,63}", says: "a parameter name" },
    },
    data: { type: "array", items: { type: "string", maxLength: 1_000, nonBlank: true }, minItems: 1, maxItems: 20 },
    timeframe: {
      type: "string",
      maxLength: 8,
      pattern: { source: "[0-9]+[smhdwM]", says: "a timeframe (1m, 1h, 1d…)" },
    },
    cash: num({ exclusiveMinimum: 0 }),
    commission: num({ minimum: 0 }),
    commissionFixed: num({ minimum: 0 }),
    slippageBps: num({ minimum: 0 }),
    spread: num({ minimum: 0 }),
    impact: num({ minimum: 0 }),
    fill: { type: "string", maxLength: 16, pattern: { source: "next_open|close", says: "next_open or close" } },
    volumeShare: num({ exclusiveMinimum: 0 }),
    leverage: num({ minimum: 1 }),
    noShort: { type: "boolean" },
    step: num({ exclusiveMinimum: 0 }),
    closeAtEnd: { type: "boolean" },
    reason: { type: "string", maxLength: REASON_MAX, nonBlank: true },
  },
  required: ["reason"],
};

export const CANCEL_BACKTEST_BODY: ObjectSchema = {
  fields: { reason: { type: "string", maxLength: REASON_MAX, nonBlank: true } },
  required: ["reason"],
};

const JOB_ID: FieldSchema = { type: "string", maxLength: 64, pattern: { source: "[a-z0-9-]+", says: "a job id" } };
const FILE_NAME: FieldSchema = {
  type: "string",
  maxLength: 32,
  pattern: { source: JOB_FILES.map((f) => f.replace(".", "\\.")).join("|"), says: JOB_FILES.join(", ") },
};

export const backtestRoutes: RouteModule = (deps) => {
  const unavailable = () => refuse(503, "backtests cannot run here (no backtest pool behind this endpoint)");
  const answer = (a: Answer, headers: Record<string, string> = {}) =>
    a.ok ? json(a.body, a.status, headers) : refuse(a.status, a.error, headers);
  const withService =
    (run: (service: BacktestService, ctx: RequestContext) => Promise<Response>) => (ctx: RequestContext) => {
      const service = deps.backtests;
      return service ? run(service, ctx) : unavailable();
    };
  const routes: Route[] = [
    {
      method: "POST",
      path: "/api/v1/backtest",
      access: "admin",
      mutating: true,
      body: BACKTEST_BODY,
      handle: withService(async (service, ctx) => {
        const { reason: _, ...options } = ctx.body;
        const a = await service.submit(options, auditedWhy(deps, "backtest:submit", ctx));
        return answer(a, !a.ok && a.status === 429 ? { "retry-after": "10" } : {});
      }),
    },
    {
      method: "GET",
      path: "/api/v1/backtest",
      access: "read",
      mutating: false,
      handle: withService(async (service) => answer(await service.list())),
    },
    {
      method: "GET",
      path: "/api/v1/backtest/{id}/status",
      access: "read",
      mutating: false,
      params: { id: JOB_ID },
      handle: withService(async (service, { params }) => answer(await service.status(params.id))),
    },
    {
      method: "GET",
      path: "/api/v1/backtest/{id}/results",
      access: "read",
      mutating: false,
      params: { id: JOB_ID },
      handle: withService(async (service, { params }) => answer(await service.results(params.id))),
    },
    {
      method: "GET",
      path: "/api/v1/backtest/{id}/files/{name}",
      access: "read",
      mutating: false,
      params: { id: JOB_ID, name: FILE_NAME },
      handle: withService(async (service, { params }) => {
        const file = await service.file(params.id, params.name);
        if ("ok" in file) return refuse(file.status, file.error);
        return new Response(file.body, {
          headers: {
            ...BASE_HEADERS,
            "content-type": file.contentType,
            // The report's own scripts draw its charts in an opaque origin: no cookie, no call to this API.
            "content-security-policy": "sandbox allow-scripts; default-src 'none'; script-src 'unsafe-inline'; " +
              "style-src 'unsafe-inline'; img-src data:",
          },
        });
      }),
    },
    {
      method: "DELETE",
      path: "/api/v1/backtest/{id}",
      access: "admin",
      mutating: true,
      params: { id: JOB_ID },
      body: CANCEL_BACKTEST_BODY,
      handle: withService(async (service, ctx) =>
        answer(await service.cancel(ctx.params.id, auditedWhy(deps, "backtest:cancel", ctx)))
      ),
    },
  ];
  return routes;
};
