/**
 * Storage URLs, by scheme: the one parser behind `openDatabase` and the live config's `db` field, so a URL that the
 * config accepts is a URL the store opens, and a typo (`mysql://`, `postgress://`) is an error instead of a SQLite
 * file named after it.
 *
 *   sqlite:PATH, sqlite://PATH, or a plain file path   SQLite (PATH empty: the caller's default file)
 *   postgres://…, postgresql://…                      PostgreSQL (libpq connection URL)
 *   redis://…, rediss://…                             Redis Streams (a journal backend only, not a SQL store)
 */

export type StorageUrl =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string }
  | { readonly kind: "redis"; readonly url: string };

/**
 * A parsed URL, or why it is not one (an expected failure: a value, not an exception). The caller adds which of the
 * schemes it takes: the daemon's journal and `openDatabase` take SQLite and PostgreSQL, not Redis.
 */
export type ParsedStorageUrl = StorageUrl | { readonly kind: "invalid"; readonly why: string };

// Two letters at least: `C:\data\x.sqlite` is a Windows path, not a URL with the scheme "c".
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]+):/;

export function parseStorageUrl(text: string): ParsedStorageUrl {
  const scheme = SCHEME.exec(text)?.[1].toLowerCase();
  if (scheme === undefined) return { kind: "sqlite", path: text };
  switch (scheme) {
    case "sqlite":
      return { kind: "sqlite", path: text.slice("sqlite:".length).replace(/^\/\//, "") };
    case "postgres":
    case "postgresql":
    case "redis":
    case "rediss": {
      if (!text.slice(scheme.length + 1).startsWith("//")) {
        return { kind: "invalid", why: `a ${scheme}: URL starts with ${scheme}://` };
      }
      try {
        new URL(text);
      } catch {
        // The text itself may hold a password: name the scheme only.
        return { kind: "invalid", why: `not a valid ${scheme}:// URL` };
      }
      return scheme.startsWith("redis") ? { kind: "redis", url: text } : { kind: "postgres", url: text };
    }
    default:
      return { kind: "invalid", why: `unsupported scheme "${scheme}:"` };
  }
}

const HIDDEN = "***";

/**
 * The URL as messages may show it: the password (`user:PASS@`, and libpq's `?password=`/`sslpassword=`) replaced by
 * `***`. Text that is not a URL comes back as given (a path has no password).
 */
export function redactUrl(text: string): string {
  const scheme = SCHEME.exec(text)?.[1];
  if (scheme === undefined || !text.slice(scheme.length + 1).startsWith("//")) return text;
  try {
    const u = new URL(text);
    if (u.password) u.password = HIDDEN;
    for (const key of [...u.searchParams.keys()]) {
      if (/pass/i.test(key)) u.searchParams.set(key, HIDDEN);
    }
    return u.toString();
  } catch {
    // Not parseable: cut everything between the scheme and the host, and the query.
    return text.replace(/\/\/[^/@]*@/, `//${HIDDEN}@`).replace(/\?.*$/, "");
  }
}

/** `message` (e.g. a driver's error about `url`) with the URL's passwords replaced by `***` wherever they appear. */
export function redactSecrets(message: string, url: string): string {
  const secrets: string[] = [];
  try {
    const u = new URL(url);
    if (u.password) secrets.push(u.password, decodeURIComponent(u.password));
    for (const [key, value] of u.searchParams) if (/pass/i.test(key) && value) secrets.push(value);
  } catch {
    const m = /\/\/[^/:@]*:([^/@]*)@/.exec(url);
    if (m?.[1]) secrets.push(m[1]);
  }
  let out = message.split(url).join(redactUrl(url));
  for (const s of secrets.filter((s) => s.length > 0).sort((a, b) => b.length - a.length)) {
    out = out.split(s).join(HIDDEN);
  }
  return out;
}
