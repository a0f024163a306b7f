/**
 * System routes: health (public, no account data without read access), liveness, status, and the kill switch
 * and resume (admin). The /api/v1 paths are the real ones; the old bare paths stay as aliases with the same checks.
 */
import { errorText } from "../../runtime/mod.ts";
import { healthDocument } from "../health.ts";
import { BASE_HEADERS, json, refuse } from "../http.ts";
import type { RequestContext, Route } from "../router.ts";
import type { ObjectSchema } from "../schema.ts";
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

/** The same route under its /api/v1 path and its old one. */
const aliased = (paths: readonly string[], route: Omit<Route, "path">): Route[] =>
  paths.map((path) => ({ ...route, path }));

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
      handle: health,
    }),
    {
      method: "GET",
      path: "/health/live",
      access: "public",
      mutating: false,
      unmetered: true,
      handle: () => new Response(null, { status: 200, headers: BASE_HEADERS }),
    },
    ...aliased(["/api/v1/status", "/status"], {
      method: "GET",
      access: "read",
      mutating: false,
      handle: async () =>
        new Response(await deps.statusText(), { headers: { ...BASE_HEADERS, "content-type": "application/json" } }),
    }),
    ...aliased(["/api/v1/system/kill", "/kill"], {
      method: "POST",
      access: "admin",
      mutating: true,
      body: KILL_BODY,
      handle: kill,
    }),
    ...aliased(["/api/v1/system/resume", "/resume"], {
      method: "POST",
      access: "admin",
      mutating: true,
      body: RESUME_BODY,
      handle: resume,
    }),
  ];
};
