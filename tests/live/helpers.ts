/** Shared helpers of the live tests: configs in temp dirs, the daemon as a child process, reading its stores. */
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";

export const ROOT = new URL("../../", import.meta.url);
export const CLI = fromFileUrl(new URL("cli/live.ts", ROOT));
export const DENO_JSON = fromFileUrl(new URL("deno.json", ROOT));
export const GOOG = "/work/shared/data/backtesting_py/GOOG.csv";

export function paperConfig(dataDir: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    mode: "paper",
    dataDir,
    control: { hostname: "127.0.0.1", port: 0 },
    venue: { type: "paper", name: "paper", initialCash: 10_000, commission: 0.002, defaultStep: 1 },
    feed: { type: "replay", sources: [{ file: GOOG, symbol: "GOOG" }], speed: "max" },
    strategies: [{ id: "ma-goog", strategy: "sma_cross", params: { fast: 10, slow: 20 }, capital: 10_000 }],
    statusEveryMs: 0,
    exitAtEnd: true,
    ...overrides,
  };
}

export async function writeConfig(dir: string, config: Record<string, unknown>): Promise<string> {
  const path = join(dir, "live.json");
  await Deno.writeTextFile(path, JSON.stringify(config, null, 2));
  return path;
}

export function spawnDaemon(configPath: string, extra: string[] = []): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, CLI, "run", "--config", configPath, "--no-watchdog", ...extra],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { TRADEACTOR_LOG: "warn" },
  }).spawn();
}

/** `live run` as an operator starts it: under the watchdog, the daemon a child process of this one. */
export function spawnUnderWatchdog(configPath: string): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, CLI, "run", "--config", configPath],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    env: { TRADEACTOR_LOG: "warn" },
  }).spawn();
}

/** Waits for the child to exit; returns its code and stderr. */
export async function finished(child: Deno.ChildProcess): Promise<{ code: number; stderr: string }> {
  const { code, stderr } = await child.output();
  return { code, stderr: new TextDecoder().decode(stderr) };
}

/** Rows in the daemon's journal (0 before it exists). */
export function journalCount(dataDir: string): number {
  let db: DatabaseSync | undefined;
  try {
    db = new DatabaseSync(join(dataDir, "journal.sqlite"), { readOnly: true });
    const row = db.prepare("SELECT COUNT(*) AS n FROM journal_events").get() as { n: number };
    return Number(row.n);
  } catch {
    return 0;
  } finally {
    db?.close();
  }
}

/** Every submit the paper venue received, and the distinct client order ids among them. */
export function venueSubmits(dataDir: string): { total: number; distinct: number } {
  const db = new DatabaseSync(join(dataDir, "paper_venue.sqlite"), { readOnly: true });
  try {
    const row = db.prepare("SELECT COUNT(*) AS t, COUNT(DISTINCT client_order_id) AS d FROM venue_submits").get() as {
      t: number;
      d: number;
    };
    return { total: Number(row.t), distinct: Number(row.d) };
  } finally {
    db.close();
  }
}

export interface RunResult {
  readonly fills: { fillId: string; clientOrderId: string; side: string; qty: number; price: number; ts: number }[];
  readonly portfolio: {
    total: { equity: number; balance: number; positions: { symbol: string; qty: number; avgPrice: number }[] };
  };
}

export async function readResult(dataDir: string): Promise<RunResult> {
  return JSON.parse(await Deno.readTextFile(join(dataDir, "result.json")));
}

/** Seeded: kill points are random but the same on every run of the test. */
export { seededRandom as seeded } from "../../actors/runtime/random.ts";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
