/**
 * The live config's `api` section: what the operator API may reach on this machine. Strategies added over the
 * network are built-ins or files under `strategiesDir`, never any other path; backtests read bars only under
 * `dataDirs`; backtest jobs run in a bounded Worker pool with a bounded queue. Nothing here is reachable unless
 * configured: without `strategiesDir` only built-ins can be added, without `dataDirs` no backtest can run.
 */
import { resolve } from "node:path";
import { known, num, obj, type Problems, str } from "./config_fields.ts";

export interface ApiConfig {
  /** Absolute directory of strategy files the API may load; undefined: built-ins only. */
  readonly strategiesDir?: string;
  /** Absolute directories backtest data may be read from (empty: no backtests). */
  readonly dataDirs: readonly string[];
  readonly backtest: {
    /** Backtests running at once (Workers). */
    readonly workers: number;
    /** Jobs waiting beyond the running ones; more are refused with 429. */
    readonly queue: number;
  };
}

export const DEFAULT_API: ApiConfig = { dataDirs: [], backtest: { workers: 1, queue: 8 } };

export function parseApi(p: Problems, raw: unknown, baseDir: string): ApiConfig {
  const a = obj(p, raw, "api", true);
  known(p, a, "api", ["strategiesDir", "dataDirs", "backtest"]);
  const strategiesDir = a.strategiesDir === undefined
    ? undefined
    : resolve(baseDir, str(p, a.strategiesDir, "api.strategiesDir"));
  const dataDirs: string[] = [];
  if (a.dataDirs !== undefined) {
    if (!Array.isArray(a.dataDirs)) p.push({ field: "api.dataDirs", why: "must be a list of directories" });
    else for (const [i, d] of a.dataDirs.entries()) dataDirs.push(resolve(baseDir, str(p, d, `api.dataDirs[${i}]`)));
  }
  const b = obj(p, a.backtest, "api.backtest", true);
  known(p, b, "api.backtest", ["workers", "queue"]);
  const workers = num(p, b.workers, "api.backtest.workers", { min: 1, max: 64, integer: true }, 1);
  const queue = num(p, b.queue, "api.backtest.queue", { min: 0, max: 10_000, integer: true }, 8);
  return { ...(strategiesDir ? { strategiesDir } : {}), dataDirs, backtest: { workers, queue } };
}
