/**
 * Opens the store: SQLite (embedded default, a file under the data directory, nothing to start, works offline) or
 * PostgreSQL when a `postgres://` URL is given (schemes in url.ts). Migrations run at open so callers always see the
 * latest schema.
 */
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { Kysely, PostgresDialect } from "kysely";
import { Migrator } from "kysely/migration";
import type { Schema } from "./schema.ts";
import { sqliteDialect } from "./sqlite_dialect.ts";
import { type DialectName, migrationProvider } from "./migrations/mod.ts";
import { parseStorageUrl, redactSecrets, redactUrl as redact } from "./url.ts";

/** The URL with its passwords replaced by *** (storage/url.ts redactUrl): for messages and logs. */
export { redact };

export type { DialectName };

export interface OpenOptions {
  /**
   * `sqlite:<path>` or a plain path, `postgres://user@host:port/db`; absent or `sqlite:` alone: SQLite at
   * `<dataDir>/tradeactor.sqlite`. Any other scheme is a StorageError.
   */
  readonly url?: string;
  /** Default `./data`. */
  readonly dataDir?: string;
  /** PostgreSQL only: keep every table in this schema (created if absent), e.g. to isolate parallel test runs. */
  readonly schema?: string;
  /** Default true. */
  readonly migrate?: boolean;
}

export interface Database {
  readonly db: Kysely<Schema>;
  readonly dialect: DialectName;
  /** Where the data lives, password removed: for messages and logs. */
  readonly location: string;
  close(): Promise<void>;
}

/** Thrown when the store cannot be opened or migrated; the message says which database and why. */
export class StorageError extends Error {
  override name = "StorageError";
}

export async function openDatabase(options: OpenOptions = {}): Promise<Database> {
  const opened = await openByScheme(options);
  const isPostgres = opened.dialect === "postgres";
  if (options.migrate ?? true) {
    try {
      await migrate(opened, options.schema);
    } catch (error) {
      await opened.close().catch(() => {});
      const kind = isPostgres ? "PostgreSQL" : "SQLite";
      const why = redactSecrets(describe(error), options.url ?? "");
      throw new StorageError(`Cannot open ${kind} database at ${opened.location}: ${why}`, {
        cause: error,
      });
    }
  }
  return opened;
}

function openByScheme(options: OpenOptions): Database | Promise<Database> {
  const parsed = parseStorageUrl(options.url ?? "");
  switch (parsed.kind) {
    case "sqlite":
      return openSqlite(parsed.path, options.dataDir ?? "./data");
    case "postgres":
      return openPostgres(parsed.url, options.schema);
    case "redis":
      throw new StorageError(
        `Cannot open ${redact(parsed.url)} as a database: Redis holds a journal (storage/journal/redis_journal.ts), ` +
          `not the SQL store; use sqlite:PATH or postgres://…`,
      );
    case "invalid":
      throw new StorageError(
        `Cannot open database URL: ${parsed.why}; use sqlite:PATH (or a file path) or postgres://…`,
      );
    default: {
      const unknown: never = parsed;
      throw new StorageError(`Unhandled storage URL ${JSON.stringify(unknown)}`);
    }
  }
}

function openSqlite(given: string, dataDir: string): Database {
  // SQLite's own name for a private in-memory database (tests), not a file called ":memory:" in the working directory.
  if (given === ":memory:") {
    const db = new Kysely<Schema>({ dialect: sqliteDialect(given) });
    return { db, dialect: "sqlite", location: given, close: () => db.destroy() };
  }
  const path = resolve(given || join(dataDir, "tradeactor.sqlite"));
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw new StorageError(`Cannot open SQLite database at ${path}: ${describe(error)}`, { cause: error });
  }
  const db = new Kysely<Schema>({ dialect: sqliteDialect(path) });
  return { db, dialect: "sqlite", location: path, close: () => db.destroy() };
}

// int8 (bigint) columns hold epoch ms and sequence numbers, all far below 2^53: read them as numbers, not strings.
const INT8_OID = 20;

async function openPostgres(url: string, schema: string | undefined): Promise<Database> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) {
    throw new StorageError(`Invalid PostgreSQL schema name "${schema}": use lowercase letters, digits and _`);
  }
  // Loaded only here: pg pulls in the Node compatibility layer, ~7 MB in every Worker that opens a SQLite store.
  const { default: pg } = await import("pg");
  const types = {
    getTypeParser: (oid: number, format?: "text" | "binary") =>
      oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format as "text"),
  };
  const pool = new pg.Pool({
    connectionString: url,
    types,
    connectionTimeoutMillis: 5_000,
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle client that loses its server emits 'error' on the pool; unhandled it would end the process.
  pool.on("error", () => {});
  const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) });
  const location = redact(url) + (schema ? ` (schema ${schema})` : "");
  return { db, dialect: "postgres", location, close: () => db.destroy() };
}

async function migrate(opened: Database, schema: string | undefined): Promise<void> {
  if (opened.dialect === "postgres" && schema) {
    await opened.db.schema.createSchema(schema).ifNotExists().execute();
  }
  const migrator = new Migrator({
    db: opened.db,
    provider: migrationProvider(opened.dialect),
    // kysely looks for its bookkeeping table in every schema unless told which: pin it, so schemas stay apart.
    ...(opened.dialect === "postgres" ? { migrationTableSchema: schema ?? "public" } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw failed ? new Error(`migration ${failed} failed: ${describe(error)}`, { cause: error }) : error;
  }
}

export function describe(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return describe(error.errors[0]);
  if (error instanceof Error) {
    const code = (error as { code?: string }).code;
    const message = error.message || code || error.name;
    return code && !message.includes(code) ? `${message} (${code})` : message;
  }
  return String(error);
}
