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
 * The service (cli/backtest_jobs/) is given to the daemon by the command line: actors/ never imports cli/.
 */
import { BASE_HEADERS, json, refuse } from "../http.ts";
import type { RequestContext, Route } from "../router.ts";
import type { ObjectSchema, Schema } from "../schema.ts";
import type { NumberRule } from "../../runtime/validate.ts";
import { ERROR } from "../api_schemas.ts";
import type { RouteModule } from "./deps.ts";
import { type Answer, auditedWhy, PARAMS, type Why } from "./strategy_control.ts";
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

const num = (rule: NumberRule = {}): Schema => ({ type: "number", ...rule });
const REASON: Schema = { type: "string", maxLength: REASON_MAX, nonBlank: true, description: "why (journaled)" };
const LIMIT_MAP: Schema = { type: "object", fields: {}, additional: { type: "number" } };

/**
 * The options of `deno task backtest` (its --config file keys); their values are then checked by the same parser
 * (cli/backtest.ts on cli/run_options.ts). A risk file is given as its object: the daemon reads no caller's path.
 */
export const BACKTEST_BODY: ObjectSchema = {
  description: "Backtest options, as in a `deno task backtest --config` file; data paths must be under the " +
    "configured api.dataDirs, strategies built-ins or files under api.strategiesDir.",
  fields: {
    strategy: { type: "string", maxLength: 200, nonBlank: true },
    params: PARAMS,
    data: {
      type: "array",
      items: { type: "string", maxLength: 1_000, nonBlank: true, description: "[SYMBOL=]PATH" },
      minItems: 1,
      maxItems: 20,
    },
    timeframe: { type: "string", maxLength: 8, pattern: "^[0-9]+[smhdwM]$", description: "1m, 1h, 1d…" },
    maxPrice: num({ above: 0 }),
    calendar: {
      type: "oneOf",
      of: [
        { type: "string", maxLength: 20, description: "a calendar for every file" },
        {
          type: "object",
          fields: {},
          additional: { type: "string", maxLength: 20 },
          maxProperties: 20,
          description: "a calendar per symbol",
        },
      ],
    },
    cash: num({ above: 0 }),
    commission: num({ min: 0, below: 1 }),
    commissionFixed: num({ min: 0 }),
    commissionPerUnit: num({ min: 0 }),
    slippageBps: num({ min: 0 }),
    spread: num({ min: 0, below: 1 }),
    spreadMode: { type: "string", maxLength: 8, enum: ["both", "entry"] },
    impact: num({ min: 0 }),
    fill: { type: "string", maxLength: 16, enum: ["next_open", "close"] },
    volumeShare: num({ above: 0, max: 1 }),
    leverage: num({ min: 1 }),
    noShort: { type: "boolean" },
    step: num({ above: 0 }),
    closeAtEnd: { type: "boolean" },
    risk: {
      type: "object",
      fields: {
        risk: {
          type: "object",
          fields: { quarantinePolicy: { type: "string", maxLength: 10, enum: ["flatten", "keep"] } },
          additional: { type: "number" },
          description: "account limits, as the live config's risk section",
        },
        limits: { ...LIMIT_MAP, description: "the strategy's own limits" } as Schema,
      },
      description: "risk limits as a --risk file holds them, checked by the live rules",
    },
    reason: REASON,
  },
  required: ["reason"],
};

export const CANCEL_BACKTEST_BODY: ObjectSchema = { fields: { reason: REASON }, required: ["reason"] };

const JOB_ID: Schema = { type: "string", maxLength: 64, pattern: "^[a-z0-9-]+$", description: "a job id" };
const FILE_NAME: Schema = { type: "string", maxLength: 32, enum: [...JOB_FILES] };

const err = (description: string) => ({ description, schema: ERROR });
const NO_POOL = err("no backtest pool behind this endpoint, the daemon is stopping, or the journal failed");
const JOB: Schema = { type: "object", fields: {}, additional: { type: "any" }, description: "a job" };
const TAG = "backtests";

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
      tag: TAG,
      summary: "Queue a backtest job (the options of deno task backtest)",
      body: BACKTEST_BODY,
      responses: {
        202: { description: "queued", schema: JOB },
        400: err("an option, the data or the strategy is not valid"),
        403: err("backtests need api.dataDirs in the daemon's config"),
        429: err("the queue is full; retry later"),
        503: NO_POOL,
      },
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
      tag: TAG,
      summary: "The backtest jobs, newest first",
      responses: { 200: { description: "the jobs", schema: { type: "any" } }, 503: NO_POOL },
      handle: withService(async (service) => answer(await service.list())),
    },
    {
      method: "GET",
      path: "/api/v1/backtest/{id}/status",
      access: "read",
      mutating: false,
      tag: TAG,
      summary: "A job's state and progress",
      params: { id: JOB_ID },
      responses: { 200: { description: "the job", schema: JOB }, 404: err("no such job"), 503: NO_POOL },
      handle: withService(async (service, { params }) => answer(await service.status(params.id))),
    },
    {
      method: "GET",
      path: "/api/v1/backtest/{id}/results",
      access: "read",
      mutating: false,
      tag: TAG,
      summary: "A finished job's report and links to its files",
      params: { id: JOB_ID },
      responses: {
        200: { description: "the report", schema: JOB },
        404: err("no such job"),
        409: err("the job is not done"),
        410: err("its files are gone"),
        503: NO_POOL,
      },
      handle: withService(async (service, { params }) => answer(await service.results(params.id))),
    },
    {
      method: "GET",
      path: "/api/v1/backtest/{id}/files/{name}",
      access: "read",
      mutating: false,
      tag: TAG,
      summary: "One report file of a finished job",
      params: { id: JOB_ID, name: FILE_NAME },
      responses: {
        200: { description: "the file (HTML, JSON or CSV)", contentType: "*/*" },
        404: err("no such job or file"),
        409: err("the job is not done"),
        410: err("its files are gone"),
        503: NO_POOL,
      },
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
      tag: TAG,
      summary: "Cancel a queued or running job; delete a finished one",
      params: { id: JOB_ID },
      responses: { 200: { description: "cancelled or deleted", schema: JOB }, 404: err("no such job"), 503: NO_POOL },
      body: CANCEL_BACKTEST_BODY,
      handle: withService(async (service, ctx) =>
        answer(await service.cancel(ctx.params.id, auditedWhy(deps, "backtest:cancel", ctx)))
      ),
    },
  ];
  return routes;
};
