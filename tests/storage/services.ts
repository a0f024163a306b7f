/**
 * Real services for storage tests (no mocks): PostgreSQL and Redis on 127.0.0.1, as here and in CI. A test that
 * needs one it cannot reach is skipped with a message saying which and where.
 */
import { connect as netConnect } from "node:net";
import pg from "pg";
import { type Database, openDatabase } from "../../storage/db.ts";

export const REDIS_URL = Deno.env.get("TRADEACTOR_REDIS_URL") ?? "redis://127.0.0.1:6379";
const PG_CANDIDATES = Deno.env.get("TRADEACTOR_PG_URL")
  ? [Deno.env.get("TRADEACTOR_PG_URL")!]
  : ["postgres://postgres@127.0.0.1:5432/test", "postgres://root@127.0.0.1:5432/test"];

/** A name no parallel run shares: for PostgreSQL schemas, Redis key prefixes and temp files. */
export function uniqueName(tag: string): string {
  return `ta_${tag}_${Date.now().toString(36)}_${crypto.randomUUID().slice(0, 8)}`.toLowerCase();
}

async function firstPgUrl(): Promise<string | undefined> {
  for (const url of PG_CANDIDATES) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
    try {
      await client.connect();
      return url;
    } catch {
      // try the next user
    } finally {
      await client.end().catch(() => {});
    }
  }
  return undefined;
}

function tcpOpen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = netConnect({ host, port });
    socket.setTimeout(3000);
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
    socket.once("timeout", () => done(false));
  });
}

export const PG_URL = await firstPgUrl();
export const REDIS_UP = await tcpOpen(new URL(REDIS_URL).hostname, Number(new URL(REDIS_URL).port || 6379));
if (!PG_URL) console.warn(`SKIP PostgreSQL tests: cannot connect to ${PG_CANDIDATES.join(" or ")}`);
if (!REDIS_UP) console.warn(`SKIP Redis tests: cannot connect to ${REDIS_URL}`);

/** A fresh database of the given kind, and how to remove it. */
export interface TestDb {
  readonly database: Database;
  dispose(): Promise<void>;
}

export async function openTestSqlite(): Promise<TestDb> {
  const dataDir = await Deno.makeTempDir({ prefix: "ta_sqlite_" });
  const database = await openDatabase({ dataDir });
  return {
    database,
    async dispose() {
      await database.close();
      await Deno.remove(dataDir, { recursive: true });
    },
  };
}

export async function openTestPostgres(): Promise<TestDb> {
  const schema = uniqueName("pg");
  const database = await openDatabase({ url: PG_URL!, schema });
  return {
    database,
    async dispose() {
      await database.db.schema.dropSchema(schema).cascade().execute();
      await database.close();
    },
  };
}
