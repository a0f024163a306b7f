/**
 * System routes: health (public, no account data without read access), liveness, status, and the kill switch
 * and resume (admin). The /api/v1 paths are the real ones; the old bare paths stay as aliases with the same checks.
 */
import { errorText } from "../../runtime/mod.ts";
import { healthDocument } from "../health.ts";
import { BASE_HEADERS, json, refuse } from "../http.ts";
import type { RequestContext, Route } from "../router.ts";
import type { ObjectSchema, Schema } from "../schema.ts";
import { ERROR, list, obj, str } from "../api_schemas.ts";
import { type RouteModule, routeName } from "./deps.ts";

/** Reasons are journaled and shown on every dashboard: bounded. */
export const REASON_MAX = 500;

export const KILL_BODY: ObjectSchema = {
  fields: { reason: { type: "string", maxLength: REASON_MAX, nonBlank: true }, flatten: { type: "boolean" } },
};

export const RESUME_BODY: ObjectSchema = {
  fields: { reason: { type: "string", maxLength: REASON_MAX, nonBlank: true } },
  required: ["reason"],
};

/** The same route under its /api/v1 path and its old one (deprecated in the OpenAPI document). */
const aliased = (paths: readonly string[], route: Omit<Route, "path">): Route[] =>
  paths.map((path) => ({ ...route, path, ...(path.startsWith("/api/v1/") ? {} : { deprecated: true }) }));

const HEALTH: Schema = {
  type: "object",
  fields: {
    ok: { type: "boolean" },
    status: { type: "string", maxLength: 20, enum: ["ok", "unavailable"] },
    reasons: list(str(500)),
  },
  required: ["ok", "status", "reasons"],
  additional: { type: "any", description: "with read access: trading, equity, venue, feed, strategies, actors" },
};
const STATUS: Schema = {
  type: "object",
  fields: {},
  additional: { type: "any" },
  description: "portfolio, risk and adapter state (clipped: long strings cut, long lists keep their newest items)",
};

export const systemRoutes: RouteModule = (deps) => {
  const health = async ({ canRead }: RequestContext) => {
    const report = await deps.health();
    return json(healthDocument(report, canRead, () => deps.host.stats()), report.ok ? 200 : 503);
  };
  const kill = ({ req, body, principal, client }: RequestContext) => {
    const reason = (body.reason as string | undefined) ?? "kill switch from the control endpoint";
    const flatten = (body.flatten as boolean | undefined) ?? true;
    try {
      // The kill switch goes first and is never held back by the journal: it only reduces risk.
      deps.host.tell(deps.riskPath, { type: "KillSwitch", reason, flatten });
    } catch (err) {
      return refuse(503, `the kill switch could not reach the risk guardian: ${errorText(err)}`);
    }
    const journaled = deps.audit({
      action: "kill",
      principal,
      why: reason,
      route: routeName(req),
      client,
      detail: { flatten },
    });
    return json({ ok: true, reason, flatten, journaled: journaled.ok });
  };
  const resume = ({ req, body, principal, client }: RequestContext) => {
    const reason = body.reason as string;
    // Resuming adds risk: not without a record of who and why.
    const journaled = deps.audit({ action: "resume", principal, why: reason, route: routeName(req), client });
    if (!journaled.ok) return refuse(503, `not resumed: the journal is unavailable (${journaled.error})`);
    try {
      deps.host.tell(deps.riskPath, {
        type: "SetTradingState",
        state: "ACTIVE",
        reason: `resumed by operator: ${reason}`,
      });
    } catch (err) {
      return refuse(503, `the risk guardian could not be reached: ${errorText(err)}`);
    }
    return json({ ok: true });
  };
  return [
    ...aliased(["/api/v1/system/health", "/health"], {
      method: "GET",
      access: "public",
      mutating: false,
      tag: "system",
      summary:
        "Health: 200 only when trading can go on, else 503 with every reason (no account data without read access)",
      responses: {
        200: { description: "healthy", schema: HEALTH },
        503: { description: "not healthy: `reasons` says why", schema: HEALTH },
      },
      handle: health,
    }),
    {
      method: "GET",
      path: "/health/live",
      access: "public",
      mutating: false,
      unmetered: true,
      tag: "system",
      summary: "Liveness: 200 with an empty body while the process answers",
      responses: { 200: { description: "alive" } },
      handle: () => new Response(null, { status: 200, headers: BASE_HEADERS }),
    },
    ...aliased(["/api/v1/status", "/status"], {
      method: "GET",
      access: "read",
      mutating: false,
      tag: "system",
      summary: "Status: the portfolio, the risk guardian's state and the venue adapter's state",
      responses: { 200: { description: "status", schema: STATUS } },
      handle: async () =>
        new Response(await deps.statusText(), { headers: { ...BASE_HEADERS, "content-type": "application/json" } }),
    }),
    ...aliased(["/api/v1/system/kill", "/kill"], {
      method: "POST",
      access: "admin",
      mutating: true,
      body: KILL_BODY,
      tag: "system",
      summary: "Kill switch: cancel every order, flatten every position (unless flatten is false), halt trading",
      responses: {
        200: {
          description: "sent to the risk guardian",
          schema: obj({
            ok: { type: "boolean" },
            reason: str(REASON_MAX),
            flatten: { type: "boolean" },
            journaled: { type: "boolean" },
          }),
        },
        503: { description: "the risk guardian could not be reached", schema: ERROR },
      },
      handle: kill,
    }),
    ...aliased(["/api/v1/system/resume", "/resume"], {
      method: "POST",
      access: "admin",
      mutating: true,
      body: RESUME_BODY,
      tag: "system",
      summary: "Resume: back to ACTIVE after a halt (journaled; refused when it cannot be)",
      responses: {
        200: { description: "sent to the risk guardian", schema: obj({ ok: { type: "boolean" } }) },
        503: { description: "the journal or the risk guardian is unavailable", schema: ERROR },
      },
      handle: resume,
    }),
  ];
};
