/**
 * A small router: routes are data (method, path pattern, who may call, the schemas of the body, query, path
 * parameters and responses), so the security pipeline can decide before any handler runs, and the OpenAPI document
 * is generated from the very schemas that are enforced. Patterns are literal segments and `{name}` parameters.
 *
 * Adding an endpoint: write a route module (routes/*.ts: a function of the shared deps returning routes), give each
 * route its `summary`, `tag`, schemas and `responses` (the pipeline's own errors, 400/401/403/413/415/429…, are added
 * to the document from the route's data), and list the module in server.ts's `ROUTE_MODULES`.
 */
import type { Principal } from "./auth.ts";
import type { BodyOf, ObjectSchema, Schema } from "./schema.ts";

export type Method = "GET" | "POST" | "PUT" | "DELETE";

/**
 * public: anyone who passes the host/origin checks (health, liveness, login);
 * read: any token or session when reads are protected, anyone otherwise; admin: the admin token or an admin session.
 */
export type Access = "public" | "read" | "admin";

export interface RequestContext {
  readonly req: Request;
  readonly params: Readonly<Record<string, string>>;
  /** undefined: anonymous. */
  readonly principal: Principal | undefined;
  /** May this caller read account data (status, equity)? */
  readonly canRead: boolean;
  /** The checked body, for routes with a schema. */
  readonly body: BodyOf;
  /** The checked query parameters (numbers converted), for routes with a query schema; {} otherwise. */
  readonly query: BodyOf;
  /** The client address (rate limiting, the journal). */
  readonly client: string;
}

export interface Route {
  readonly method: Method;
  readonly path: string;
  readonly access: Access;
  /** Changes state: JSON content type, same-origin, journaled by its handler. */
  readonly mutating: boolean;
  /** The request body, strictly checked; absent: no body expected (none is read). */
  readonly body?: ObjectSchema;
  /** Not rate limited (liveness: cheap, touches no actor, and must answer during a flood). */
  readonly unmetered?: boolean;
  /** When set, an empty body is read as this value (e.g. {} for a logout). */
  readonly emptyBody?: Readonly<Record<string, never>>;
  /** Query parameters, strictly checked (unknown or repeated ones are refused); absent: none accepted. */
  readonly query?: ObjectSchema;
  /** Schemas of the `{name}` path parameters (strings); a parameter without one is any non-empty segment. */
  readonly params?: Readonly<Record<string, Schema>>;
  /** One line for the OpenAPI document. */
  readonly summary?: string;
  /** Groups routes in the OpenAPI document (one per resource). */
  readonly tag?: string;
  /** What the handler itself answers, by status; the pipeline's errors are added by the OpenAPI generator. */
  readonly responses?: { readonly [status: number]: ResponseDoc | undefined };
  /** Kept for old clients; the document marks it deprecated and names the current path. */
  readonly deprecated?: boolean;
  readonly handle: (ctx: RequestContext) => Response | Promise<Response>;
}

export interface ResponseDoc {
  readonly description: string;
  /** JSON body schema; absent: no body described (or not JSON: see `contentType`). */
  readonly schema?: Schema;
  /** Default application/json. */
  readonly contentType?: string;
}

export type Match =
  | { readonly kind: "found"; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: "wrong_method"; readonly allowed: readonly Method[] }
  | { readonly kind: "none" };

function matchPath(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const m = /^\{(\w+)\}$/.exec(want[i]);
    if (m) {
      if (got[i] === "") return undefined;
      params[m[1]] = decodeURIComponent(got[i]);
    } else if (want[i] !== got[i]) return undefined;
  }
  return params;
}

export function createRouter(routes: readonly Route[]) {
  for (const r of routes) {
    const twin = routes.find((o) => o !== r && o.method === r.method && o.path === r.path);
    if (twin) throw new Error(`duplicate route ${r.method} ${r.path}`);
  }
  return {
    routes,
    match(method: string, path: string): Match {
      const allowed: Method[] = [];
      for (const route of routes) {
        let params;
        try {
          params = matchPath(route.path, path);
        } catch {
          continue; // a malformed %-escape matches nothing
        }
        if (!params) continue;
        if (route.method === method) return { kind: "found", route, params };
        allowed.push(route.method);
      }
      return allowed.length > 0 ? { kind: "wrong_method", allowed } : { kind: "none" };
    },
  };
}
