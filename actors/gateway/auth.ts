/**
 * Who is calling: an admin or read-only API token (`Authorization: Bearer …`), or a browser session opened with one
 * of them (an HttpOnly, SameSite=Strict cookie, because a page cannot attach a bearer header to its WebSocket or keep
 * a secret from its own scripts). Tokens are compared in constant time and never logged or journaled: the journal
 * records the principal's id ("admin", "read", "session").
 */
import { createHash, timingSafeEqual } from "node:crypto";

export type Scope = "read" | "admin";

export interface Principal {
  readonly id: "admin" | "read" | "session";
  readonly scope: Scope;
}

export interface Tokens {
  readonly admin?: string;
  readonly read?: string;
}

export const SESSION_COOKIE = "tradeactor_session";

const digest = (s: string) => createHash("sha256").update(s).digest();
const sameSecret = (given: string, expected: string) => timingSafeEqual(digest(given), digest(expected));

/** The scope a presented token grants, if it is one of ours. */
export function scopeOfToken(tokens: Tokens, given: string): Scope | undefined {
  if (tokens.admin !== undefined && sameSecret(given, tokens.admin)) return "admin";
  if (tokens.read !== undefined && sameSecret(given, tokens.read)) return "read";
  return undefined;
}

export interface Sessions {
  open(scope: Scope): { readonly id: string; readonly maxAgeS: number };
  scope(id: string): Scope | undefined;
  close(id: string): boolean;
}

/** In memory on purpose: a daemon restart logs every browser out. Bounded: the oldest session goes first. */
export function createSessions(options: { ttlMs: number; max: number; now: () => number }): Sessions {
  const sessions = new Map<string, { scope: Scope; expiresAt: number }>();
  return {
    open(scope) {
      const bytes = crypto.getRandomValues(new Uint8Array(32));
      const id = btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
      if (sessions.size >= options.max) sessions.delete(sessions.keys().next().value!);
      sessions.set(id, { scope, expiresAt: options.now() + options.ttlMs });
      return { id, maxAgeS: Math.floor(options.ttlMs / 1_000) };
    },
    scope(id) {
      const session = sessions.get(id);
      if (!session) return undefined;
      if (session.expiresAt <= options.now()) {
        sessions.delete(id);
        return undefined;
      }
      return session.scope;
    },
    close: (id) => sessions.delete(id),
  };
}

export function cookieValue(header: string | null, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `secure`: the browser reached us over https (a TLS proxy in front): the cookie never travels in clear then. */
export const sessionCookie = (id: string, maxAgeS: number, secure: boolean) =>
  `${SESSION_COOKIE}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAgeS}${secure ? "; Secure" : ""}`;

export const clearedSessionCookie = () => `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`;

/**
 * The caller's principal; "invalid" when a credential was presented and is wrong (an error, not anonymous access).
 * A bearer header wins over a cookie.
 */
export function authenticate(req: Request, tokens: Tokens, sessions: Sessions): Principal | undefined | "invalid" {
  const header = req.headers.get("authorization");
  if (header !== null) {
    const m = /^Bearer ([\x21-\x7e]{1,512})$/.exec(header);
    if (!m) return "invalid";
    const scope = scopeOfToken(tokens, m[1]);
    return scope === undefined ? "invalid" : { id: scope, scope };
  }
  const id = cookieValue(req.headers.get("cookie"), SESSION_COOKIE);
  if (id === undefined || id === "") return undefined;
  const scope = sessions.scope(id);
  return scope === undefined ? "invalid" : { id: "session", scope };
}
