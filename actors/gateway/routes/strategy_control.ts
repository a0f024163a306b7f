/**
 * Strategies managed while the daemon runs:
 *   GET    /api/v1/strategies                 the running set, with status (routes/strategies.ts, from list())
 *   GET    /api/v1/strategies/available       built-ins and files under the strategies directory, with param schemas
 *   GET    /api/v1/strategies/{id}            one of them
 *   POST   /api/v1/strategies                 add one (admin): checked in full before anything starts
 *   PUT    /api/v1/strategies/{id}            new params and/or limits (admin)
 *   DELETE /api/v1/strategies/{id}            stop, cancel its orders, flatten or keep, remove (admin)
 *   POST   /api/v1/strategies/{id}/start|stop the guardian's EnableStrategy / DisableStrategy STOPPED (admin)
 * Every mutating call is journaled (audit.ts) with who and why before it acts; the daemon's StrategyControl does the
 * work by messages and journals the change itself (actors/system/strategy_control.ts).
 */
import { json, refuse } from "../http.ts";
import type { RequestContext, Route } from "../router.ts";
import type { ObjectSchema, Schema, StringSchema } from "../schema.ts";
import { ERROR, STRATEGY_STATUS } from "../api_schemas.ts";
import { STRATEGY_ID } from "../../system/config_strategies.ts";
import { VENUE_NAME } from "../../system/config_venues.ts";
import type { ParamSchema } from "../../../strategies/params.ts";
import { type ControlDeps, type RouteModule, routeName } from "./deps.ts";
import { REASON_MAX } from "./system.ts";

export interface StrategyView {
  readonly id: string;
  /** The built-in name or the file it runs. */
  readonly strategy: string;
  readonly origin: "config" | "api";
  readonly params: Readonly<Record<string, unknown>>;
  readonly symbols: readonly string[];
  readonly capital: number;
  /** The venue it trades at. */
  readonly venue?: string;
  readonly limits?: Readonly<Record<string, number>>;
  /** The risk guardian's view: ACTIVE, STOPPED or QUARANTINED, and why. */
  readonly status: string;
  readonly reason?: string;
  readonly since?: number;
}

export type AvailableStrategy =
  | {
    readonly name: string;
    readonly source: "built-in" | "file";
    readonly description?: string;
    readonly params: ParamSchema;
  }
  | { readonly name: string; readonly source: "file"; readonly error: string };

export interface AddStrategyRequest {
  readonly id: string;
  readonly strategy: string;
  readonly params?: Readonly<Record<string, unknown>>;
  readonly symbols?: readonly string[];
  readonly capital: number;
  /** A configured venue (default: the default venue, the first). */
  readonly venue?: string;
  readonly limits?: Readonly<Record<string, number>>;
}

export interface UpdateStrategyRequest {
  readonly params?: Readonly<Record<string, unknown>>;
  readonly limits?: Readonly<Record<string, number>>;
}

/** Who asked (the principal's id, never a token) and why. */
export interface Why {
  readonly by: string;
  readonly reason: string;
  /**
   * Journals the call (audit.ts); the service calls it once the request is found valid, before it changes anything,
   * and changes nothing when it fails (its error). Refused requests are not journaled.
   */
  readonly commit?: () => string | undefined;
}

/** What a call came to: the status code and body to answer with. */
export type Answer =
  | { readonly ok: true; readonly status: number; readonly body: unknown }
  | { readonly ok: false; readonly status: number; readonly error: string };

/** The daemon's side (actors/system/strategy_control.ts). */
export interface StrategyControl {
  available(): Promise<AvailableStrategy[]>;
  list(): Promise<StrategyView[]>;
  add(request: AddStrategyRequest, why: Why): Promise<Answer>;
  update(id: string, request: UpdateStrategyRequest, why: Why): Promise<Answer>;
  /** flatten undefined: the configured quarantine policy decides. */
  remove(id: string, flatten: boolean | undefined, why: Why): Promise<Answer>;
  start(id: string, why: Why): Promise<Answer>;
  stop(id: string, flatten: boolean | undefined, why: Why): Promise<Answer>;
}

const ID_FIELD: StringSchema = {
  type: "string",
  maxLength: 20,
  pattern: STRATEGY_ID.source,
  description: "letters, digits, _ . and inner - (at most 20)",
};
const REASON: Schema = { type: "string", maxLength: REASON_MAX, nonBlank: true, description: "why (journaled)" };
/** A strategy parameter: a string (up to 200), a finite number or a boolean. */
const SCALAR: Schema = {
  type: "oneOf",
  of: [{ type: "string", maxLength: 200 }, { type: "number" }, { type: "boolean" }],
};
export const PARAMS: Schema = {
  type: "object",
  fields: {},
  additional: SCALAR,
  keys: { type: "string", maxLength: 64, pattern: "^[A-Za-z_][A-Za-z0-9_]*$", description: "a parameter name" },
  maxProperties: 50,
  description: "parameters, checked against the strategy's schema",
};
const LIMITS: Schema = {
  type: "object",
  fields: {},
  additional: { type: "number", min: 0 },
  keys: { type: "string", maxLength: 64, pattern: "^[A-Za-z][A-Za-z0-9]*$", description: "a limit name" },
  maxProperties: 30,
  description: "the strategy's own limits (risk/limits.ts names)",
};
const SYMBOLS: Schema = {
  type: "array",
  items: { type: "string", maxLength: 40, pattern: "^[A-Za-z0-9_.:/-]+$" },
  minItems: 1,
  maxItems: 50,
};

export const ADD_STRATEGY_BODY: ObjectSchema = {
  description: "A strategy to add: checked in full (module, params against its schema, venue, symbols, capital, " +
    "limits) before anything starts.",
  fields: {
    id: ID_FIELD,
    strategy: { type: "string", maxLength: 200, nonBlank: true, description: "a built-in name or a file" },
    params: PARAMS,
    symbols: SYMBOLS,
    capital: { type: "number", above: 0, max: 1e15, description: "checked against its venue's account" },
    venue: {
      type: "string",
      maxLength: 32,
      pattern: VENUE_NAME.source,
      description: "a configured venue to trade at (default: the default venue, the first of `venues`)",
    },
    limits: LIMITS,
    reason: REASON,
  },
  required: ["id", "strategy", "capital", "reason"],
};

export const UPDATE_STRATEGY_BODY: ObjectSchema = {
  description: "New params (they replace the old ones; omitted ones take their defaults) and/or limits (they " +
    "replace the strategy's own limits).",
  fields: { params: PARAMS, limits: LIMITS, reason: REASON },
  required: ["reason"],
};

export const REMOVE_STRATEGY_BODY: ObjectSchema = {
  description: "flatten: close its positions (default: the configured risk.quarantinePolicy); its orders are " +
    "cancelled in any case.",
  fields: { flatten: { type: "boolean" }, reason: REASON },
  required: ["reason"],
};

export const START_STRATEGY_BODY: ObjectSchema = { fields: { reason: REASON }, required: ["reason"] };
export const STOP_STRATEGY_BODY: ObjectSchema = REMOVE_STRATEGY_BODY;

const ID_PARAM = { id: ID_FIELD };

/** What the roster adds to a strategy of GET /api/v1/strategies (routes/strategies.ts). */
export const ROSTER_FIELDS: Record<string, Schema> = {
  strategy: { type: "string", maxLength: 1_000, description: "the built-in name or the file it runs" },
  origin: { type: "string", maxLength: 10, enum: ["config", "api"], description: "from the config file or the API" },
  params: { type: "object", fields: {}, additional: { type: "any" }, description: "its parameters in force" },
  symbols: { type: "array", items: { type: "string", maxLength: 100 } },
  venue: { type: "string", maxLength: 32, description: "the venue it trades at" },
};

export const STRATEGY_VIEW: Schema = {
  type: "object",
  fields: {
    id: { type: "string", maxLength: 100 },
    ...ROSTER_FIELDS,
    capital: { type: "number" },
    limits: { type: "object", fields: {}, additional: { type: "number" } },
    status: STRATEGY_STATUS,
    reason: { type: "string", maxLength: 2_000 },
    since: { type: "number" },
  },
  required: ["id", "strategy", "origin", "params", "symbols", "capital", "status"],
};

const AVAILABLE: Schema = {
  type: "object",
  fields: {
    strategies: {
      type: "array",
      items: {
        type: "object",
        fields: {
          name: { type: "string", maxLength: 1_000 },
          source: { type: "string", maxLength: 10, enum: ["built-in", "file"] },
          description: { type: "string", maxLength: 10_000 },
          params: { type: "any", description: "its parameter schema" },
          error: { type: "string", maxLength: 10_000, description: "why a file cannot be used" },
        },
        required: ["name", "source"],
      },
    },
  },
  required: ["strategies"],
};

const err = (description: string) => ({ description, schema: ERROR });
const NO_DAEMON = err("no daemon behind this endpoint, the risk guardian did not answer, or the journal failed");
const CHANGED: Schema = { type: "object", fields: {}, additional: { type: "any" }, description: "what was done" };

export const strategyControlRoutes: RouteModule = (deps) => {
  const control = () => deps.strategies;
  const unavailable = () => refuse(503, "strategies cannot be managed here (no daemon behind this endpoint)");
  const answer = (a: Answer) => (a.ok ? json(a.body, a.status) : refuse(a.status, a.error));

  /** Runs the call; once the service finds it valid, it is journaled (who, why, what) before anything changes. */
  const mutate = (
    action: string,
    run: (control: StrategyControl, why: Why, ctx: RequestContext) => Promise<Answer>,
  ) =>
  async (ctx: RequestContext) => {
    const c = control();
    if (!c) return unavailable();
    return answer(await run(c, auditedWhy(deps, action, ctx), ctx));
  };

  const read = (run: (control: StrategyControl, ctx: RequestContext) => Promise<Response>) => (ctx: RequestContext) => {
    const c = control();
    return c ? run(c, ctx) : unavailable();
  };

  const common = { access: "admin", mutating: true, tag: "strategies" } as const;
  const routes: Route[] = [
    {
      method: "GET",
      path: "/api/v1/strategies/available",
      access: "read",
      mutating: false,
      tag: "strategies",
      summary: "The strategies that can be added: built-ins and files under the strategies directory",
      responses: { 200: { description: "each with its parameter schema", schema: AVAILABLE }, 503: NO_DAEMON },
      handle: read(async (c) => json({ strategies: await c.available() })),
    },
    {
      method: "GET",
      path: "/api/v1/strategies/{id}",
      access: "read",
      mutating: false,
      tag: "strategies",
      summary: "One running strategy: what it runs, its params, symbols, capital, limits and status",
      params: ID_PARAM,
      responses: {
        200: { description: "the strategy", schema: STRATEGY_VIEW },
        404: err("no such strategy"),
        503: NO_DAEMON,
      },
      handle: read(async (c, { params }) => {
        const found = (await c.list()).find((s) => s.id === params.id);
        return found ? json(found) : refuse(404, `no strategy ${params.id}`);
      }),
    },
    {
      ...common,
      method: "POST",
      path: "/api/v1/strategies",
      summary: "Add a strategy while running (checked in full before anything starts)",
      body: ADD_STRATEGY_BODY,
      responses: {
        201: { description: "added", schema: CHANGED },
        400: err("the strategy, its params, symbols or limits are not valid"),
        409: err("a strategy with this id exists or existed"),
        503: NO_DAEMON,
      },
      handle: mutate("strategy:add", (c, why, { body }) => {
        const { reason: _, ...request } = body;
        return c.add(request as unknown as AddStrategyRequest, why);
      }),
    },
    {
      ...common,
      method: "PUT",
      path: "/api/v1/strategies/{id}",
      summary: "New params and/or limits of a running strategy",
      params: ID_PARAM,
      body: UPDATE_STRATEGY_BODY,
      responses: {
        200: { description: "changed", schema: CHANGED },
        400: err("the params or limits are not valid"),
        404: err("no such strategy"),
        409: err("the strategy cannot be changed now"),
        503: NO_DAEMON,
      },
      handle: mutate("strategy:update", (c, why, { body, params }) => {
        const { reason: _, ...request } = body;
        return c.update(params.id, request as UpdateStrategyRequest, why);
      }),
    },
    {
      ...common,
      method: "DELETE",
      path: "/api/v1/strategies/{id}",
      summary: "Stop a strategy, cancel its orders, flatten or keep its positions, and remove it",
      params: ID_PARAM,
      body: REMOVE_STRATEGY_BODY,
      responses: { 200: { description: "removed", schema: CHANGED }, 404: err("no such strategy"), 503: NO_DAEMON },
      handle: mutate(
        "strategy:remove",
        (c, why, { body, params }) => c.remove(params.id, body.flatten as boolean | undefined, why),
      ),
    },
    {
      ...common,
      method: "POST",
      path: "/api/v1/strategies/{id}/start",
      summary: "Let a stopped strategy trade again (the risk guardian's EnableStrategy)",
      params: ID_PARAM,
      body: START_STRATEGY_BODY,
      responses: {
        200: { description: "the strategy, ACTIVE", schema: CHANGED },
        404: err("no such strategy"),
        409: err("the strategy did not become ACTIVE"),
        503: NO_DAEMON,
      },
      handle: mutate("strategy:start", (c, why, { params }) => c.start(params.id, why)),
    },
    {
      ...common,
      method: "POST",
      path: "/api/v1/strategies/{id}/stop",
      summary: "Stop a strategy's trading, keeping it in the set (the risk guardian's DisableStrategy)",
      params: ID_PARAM,
      body: STOP_STRATEGY_BODY,
      responses: {
        200: { description: "the strategy, STOPPED", schema: CHANGED },
        404: err("no such strategy"),
        409: err("the strategy did not become STOPPED"),
        503: NO_DAEMON,
      },
      handle: mutate(
        "strategy:stop",
        (c, why, { body, params }) => c.stop(params.id, body.flatten as boolean | undefined, why),
      ),
    },
  ];
  return routes;
};

/** Who and why of a call, with the hook that journals it (see Why.commit). */
export function auditedWhy(deps: ControlDeps, action: string, ctx: RequestContext): Why {
  const { reason, ...detail } = ctx.body;
  return {
    by: ctx.principal?.id ?? "anonymous",
    reason: reason as string,
    commit() {
      const journaled = deps.audit({
        action,
        principal: ctx.principal,
        why: reason as string,
        route: routeName(ctx.req),
        client: ctx.client,
        detail: { ...detail, ...(ctx.params.id ? { id: ctx.params.id } : {}) },
      });
      return journaled.ok ? undefined : `nothing changed: the journal is unavailable (${journaled.error})`;
    },
  };
}
