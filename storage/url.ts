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
