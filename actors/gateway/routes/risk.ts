/**
 * Risk: the metrics (trading state, exposure, leverage, drawdown, daily P&L and the use of every limit, for the account
 * and each strategy, as the risk guardian measures them), changing limits while running (the guardian validates them
 * with the config file's rules, journals and applies them; a restart re-applies them), and the alerts from the journal.
 */
import { errorText } from "../../runtime/mod.ts";
import { RISK_LIMIT_RULES, STRATEGY_LIMIT_RULES } from "../../risk_guardian/limits.ts";
import { json, refuse } from "../http.ts";
import {
  ALERT,
  ERROR,
  EXPOSURE,
  EXPOSURE_FIELDS,
  list,
  map,
  maybe,
  num,
  obj,
  page,
  PAGE_QUERY,
  SINCE,
  str,
  STRATEGY_ID,
} from "../api_schemas.ts";
import type { AlertView } from "../journal_view.ts";
import { pageOf, sinceOf } from "../pagination.ts";
import { riskOf } from "../readers.ts";
import type { ObjectSchema, Schema } from "../schema.ts";
import { guarded, journalView, type RouteModule, routeName } from "./deps.ts";
import { REASON_MAX } from "./system.ts";

/** Every limit the account or a strategy may have: a number within its rule, or null to remove it. */
const LIMIT_FIELDS: Record<string, Schema> = Object.fromEntries(
  Object.entries({ ...RISK_LIMIT_RULES, ...STRATEGY_LIMIT_RULES }).map(([name, rule]) => [
    name,
    maybe({ type: "number", ...rule, description: rule.hint }),
  ]),
);

export const LIMITS_BODY: ObjectSchema = {
  fields: {
    scope: {
      type: "oneOf",
      tag: "kind",
      of: [
        { type: "object", fields: { kind: { type: "string", maxLength: 10, enum: ["account"] } }, required: ["kind"] },
        {
          type: "object",
          fields: { kind: { type: "string", maxLength: 10, enum: ["strategy"] }, strategyId: STRATEGY_ID },
          required: ["kind", "strategyId"],
        },
      ],
      description: "whose limits",
    },
    limits: {
      type: "object",
      fields: LIMIT_FIELDS,
      description: `a number sets a limit, null removes it; the account takes ${
        Object.keys(RISK_LIMIT_RULES).join(", ")
      }; a strategy ${Object.keys(STRATEGY_LIMIT_RULES).join(", ")}`,
    },
    reason: { type: "string", maxLength: REASON_MAX, nonBlank: true, description: "journaled with the change" },
  },
  required: ["scope", "limits", "reason"],
};

const LIMITS_SET: Schema = obj({
  ok: { type: "boolean" },
  scope: { type: "any", description: "as given" },
  limits: map(num(), "the scope's limits now in force"),
  journaled: { type: "boolean", description: "the call is also on the control stream" },
});
const LIMITS_REJECTED: Schema = obj({ error: str(4_000), errors: list(str(2_000)) }, ["error"]);

export const METRICS: Schema = obj({
  trading: str(20),
  account: {
    type: "object",
    fields: {
      ...EXPOSURE_FIELDS,
      dayStartEquity: maybe(num()),
      dailyPnl: maybe(num("equity − the day's starting equity")),
    },
    required: [...Object.keys(EXPOSURE_FIELDS), "dayStartEquity", "dailyPnl"],
  },
  strategies: map(EXPOSURE, "per strategy id"),
  limits: map(num(), "the account's limits in force"),
  strategyLimits: map(map(num()), "each strategy's own limits in force"),
});

export const riskRoutes: RouteModule = (deps) => [
  {
    method: "GET",
    path: "/api/v1/risk/metrics",
    access: "read",
    mutating: false,
    tag: "risk",
    summary: "Trading state, exposure, leverage, drawdown, daily P&L and limit usage, per account and per strategy",
    responses: {
      200: { description: "the risk guardian's measures", schema: METRICS },
      503: { description: "the risk guardian did not answer", schema: ERROR },
    },
    handle: guarded(async () => {
      const risk = await riskOf(deps);
      return json({
        trading: risk.trading,
        account: risk.metrics?.account ?? {},
        strategies: risk.metrics?.strategies ?? {},
        limits: risk.limits ?? {},
        strategyLimits: risk.strategyLimits ?? {},
      });
    }),
  },
  {
    method: "POST",
    path: "/api/v1/risk/limits",
    access: "admin",
    mutating: true,
    tag: "risk",
    summary: "Change the account's or one strategy's limits while running (validated, journaled, in force at once)",
    body: LIMITS_BODY,
    responses: {
      200: { description: "the limits now in force for that scope", schema: LIMITS_SET },
      400: {
        description: "the body, or a limit the risk guardian refused (every problem listed)",
        schema: LIMITS_REJECTED,
      },
      503: { description: "the risk guardian did not answer", schema: ERROR },
    },
    handle: guarded(async ({ req, body, principal, client }) => {
      let reply: Record<string, unknown>;
      try {
        reply = await deps.ask(deps.paths.risk, {
          type: "SetLimits",
          scope: body.scope,
          limits: body.limits,
          reason: body.reason,
          by: principal?.id ?? "anonymous",
        });
      } catch (err) {
        return refuse(503, `the risk guardian did not answer: ${errorText(err)}`);
      }
      if (reply.type === "LimitsRejected") {
        const errors = (reply.errors as string[] | undefined) ?? [];
        return json({ error: errors.join("; ") || "refused", errors }, 400);
      }
      // The guardian journaled the change (risk stream); the control stream records the call like every other.
      const journaled = deps.audit({
        action: "limits",
        principal,
        why: body.reason as string,
        route: routeName(req),
        client,
        detail: { scope: body.scope, limits: body.limits },
      });
      return json({ ok: true, scope: reply.scope, limits: reply.limits ?? {}, journaled: journaled.ok });
    }),
  },
  {
    method: "GET",
    path: "/api/v1/risk/alerts",
    access: "read",
    mutating: false,
    tag: "risk",
    summary: "Alerts (trading state changes, kill switch, limit changes, stopped strategies …), newest first",
    query: {
      fields: { level: { type: "string", maxLength: 5, enum: ["warn", "error"] }, since: SINCE, ...PAGE_QUERY },
    },
    responses: {
      200: { description: "a page of alerts (the newest 10,000 are kept)", schema: page(ALERT) },
      400: { description: "a bad filter", schema: ERROR },
      503: { description: "the journal is unavailable", schema: ERROR },
    },
    handle: guarded(async ({ query }) => {
      const since = sinceOf(query);
      if (since instanceof Response) return since;
      const view = await journalView(deps);
      const keep = (a: AlertView) =>
        (query.level === undefined || a.level === query.level) && (since === undefined || a.ts >= since);
      return json(pageOf(view.alerts(), query, keep));
    }),
  },
];
