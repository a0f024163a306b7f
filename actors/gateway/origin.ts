/**
 * Where a request comes from. Host names are checked against the names the daemon answers to (loopback names, the
 * bound hostname, configured extras): a DNS-rebinding page reaches 127.0.0.1 under its own name and is refused
 * here. Origin, when a browser sends it, must be the daemon's own origin or a configured one: a page elsewhere can
 * neither mutate nor open the WebSocket. There are no CORS headers, so browsers also refuse to show it any answer.
 */

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "::1"];

/** 127.0.0.0/8, ::1 and localhost: the names only this machine can reach. */
export function isLoopback(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  return LOOPBACK_NAMES.includes(h) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

const WILDCARDS = ["0.0.0.0", "::", "[::]"];

/** The host names a request may be addressed to: loopback, the bound name (unless a wildcard), the extras. */
export function allowedHostNames(bound: string, extra: readonly string[]): Set<string> {
  const names = new Set([...LOOPBACK_NAMES, ...extra.map((h) => h.toLowerCase())]);
  if (!WILDCARDS.includes(bound)) names.add(bound.toLowerCase().replace(/^\[(.*)\]$/, "$1"));
  return names;
}

/** The name part of a Host header ("[::1]:8787" → "::1"), lower-cased; undefined when malformed. */
export function hostNameOf(header: string | null): string | undefined {
  if (!header) return undefined;
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9.-]+))(?::(\d{1,5}))?$/.exec(header.trim());
  if (!m) return undefined;
  return (m[1] ?? m[2]).toLowerCase();
}

/**
 * A browser's Origin is acceptable when it names the host the request was sent to (same origin; the host itself
 * passed the host check) or is configured. "null" (sandboxed frames, file: pages) never is.
 */
export function originAllowed(origin: string, hostHeader: string, allowed: ReadonlySet<string>): boolean {
  if (allowed.has(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  return (url.protocol === "http:" || url.protocol === "https:") && url.host === hostHeader.trim().toLowerCase();
}

/** `application/json`, with or without parameters (charset). */
export function isJsonContentType(header: string | null): boolean {
  return header !== null && header.split(";")[0].trim().toLowerCase() === "application/json";
}
