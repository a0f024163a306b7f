/**
 * A small router: routes are data (method, path pattern, who may call, body schema), so the security pipeline can
 * decide before any handler runs, and so /api/v1 can grow one module per resource. Patterns are literal segments
 * and `{name}` parameters.
 */
import type { Principal } from "./auth.ts";
import type { BodyOf, FieldSchema, ObjectSchema } from "./schema.ts";

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
  /** The `{name}` parameters of the path, checked like body fields (a bad one is a 400 naming it). */
  readonly params?: Readonly<Record<string, FieldSchema>>;
  /** Not rate limited (liveness: cheap, touches no actor, and must answer during a flood). */
  readonly unmetered?: boolean;
  /** When set, an empty body is read as this value (e.g. {} for a logout). */
  readonly emptyBody?: Readonly<Record<string, never>>;
  readonly handle: (ctx: RequestContext) => Response | Promise<Response>;
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
