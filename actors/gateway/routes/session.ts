/**
 * Browser sessions: the dashboard trades a token for an HttpOnly, SameSite=Strict cookie once (POST), asks who it is
 * (GET), and logs out (DELETE). A wrong token is refused and not journaled; opening and closing are journaled.
 */
import { clearedSessionCookie, cookieValue, scopeOfToken, SESSION_COOKIE, sessionCookie } from "../auth.ts";
import { json, refuse } from "../http.ts";
import type { ObjectSchema } from "../schema.ts";
import { ERROR, obj } from "../api_schemas.ts";
import { type RouteModule, routeName } from "./deps.ts";

export const LOGIN_BODY: ObjectSchema = {
  fields: { token: { type: "string", maxLength: 512, nonBlank: true } },
  required: ["token"],
};

export const sessionRoutes: RouteModule = (deps) => [
  {
    method: "GET",
    path: "/api/v1/session",
    access: "public",
    mutating: false,
    tag: "session",
    summary: "Who am I: the session's (or token's) scope",
    responses: {
      200: {
        description: "the caller",
        schema: obj({
          authenticated: { type: "boolean" },
          who: { type: "string", maxLength: 10, enum: ["admin", "read", "session"] },
          scope: { type: "string", maxLength: 10, enum: ["admin", "read"] },
        }, ["authenticated"]),
      },
    },
    handle: ({ principal }) =>
      json({
        authenticated: principal !== undefined,
        ...(principal ? { who: principal.id, scope: principal.scope } : {}),
      }),
  },
  {
    method: "POST",
    path: "/api/v1/session",
    access: "public",
    mutating: true,
    body: LOGIN_BODY,
    tag: "session",
    summary: "Browser login: trade a token for an HttpOnly, SameSite=Strict session cookie",
    responses: {
      200: {
        description: "logged in (Set-Cookie)",
        schema: obj({ ok: { type: "boolean" }, scope: { type: "string", maxLength: 10, enum: ["admin", "read"] } }),
      },
      401: { description: "not a valid token", schema: ERROR },
      503: { description: "the journal is unavailable", schema: ERROR },
    },
    handle: ({ req, body, client }) => {
      const scope = scopeOfToken(deps.tokens, body.token as string);
      if (scope === undefined) return refuse(401, "not a valid token");
      const principal = { id: scope, scope } as const;
      const journaled = deps.audit({
        action: "session:open",
        principal,
        why: "browser login",
        route: routeName(req),
        client,
      });
      if (!journaled.ok) return refuse(503, `no session opened: the journal is unavailable (${journaled.error})`);
      const session = deps.sessions.open(scope);
      const secure = req.headers.get("origin")?.startsWith("https:") ?? false;
      return json({ ok: true, scope }, 200, { "set-cookie": sessionCookie(session.id, session.maxAgeS, secure) });
    },
  },
  {
    method: "DELETE",
    path: "/api/v1/session",
    access: "public",
    mutating: true,
    body: { fields: {} },
    emptyBody: {},
    tag: "session",
    summary: "Log out (clears the cookie)",
    responses: { 200: { description: "logged out", schema: obj({ ok: { type: "boolean" } }) } },
    handle: ({ req, principal, client }) => {
      const id = cookieValue(req.headers.get("cookie"), SESSION_COOKIE);
      if (id && deps.sessions.close(id)) {
        deps.audit({ action: "session:close", principal, why: "browser logout", route: routeName(req), client });
      }
      return json({ ok: true }, 200, { "set-cookie": clearedSessionCookie() });
    },
  },
];
