/** Backtest jobs in the store (table backtest_jobs, storage/migrations/003): survives the daemon. */
import type { Database } from "../../storage/db.ts";
import type { BacktestJobsTable } from "../../storage/schema.ts";

export type JobStatus = "queued" | "running" | "done" | "failed" | "cancelled" | "interrupted";

export const FINISHED: readonly JobStatus[] = ["done", "failed", "cancelled", "interrupted"];

export interface Job {
  readonly id: string;
  readonly status: JobStatus;
  readonly options: Readonly<Record<string, unknown>>;
  readonly requestedBy: string;
  readonly reason: string;
  readonly createdAt: number;
  readonly startedAt?: number;
  readonly finishedAt?: number;
  readonly barsDone: number;
  readonly barsTotal: number;
  readonly error?: string;
  readonly outDir: string;
}

type Row = BacktestJobsTable;

const toJob = (r: Row): Job => ({
  id: r.id,
  status: r.status as JobStatus,
  options: JSON.parse(r.options),
  requestedBy: r.requested_by,
  reason: r.reason,
  createdAt: Number(r.created_at),
  ...(r.started_at !== null ? { startedAt: Number(r.started_at) } : {}),
  ...(r.finished_at !== null ? { finishedAt: Number(r.finished_at) } : {}),
  barsDone: Number(r.bars_done),
  barsTotal: Number(r.bars_total),
  ...(r.error !== null ? { error: r.error } : {}),
  outDir: r.out_dir,
});

export interface JobStore {
  insert(job: Job): Promise<void>;
  get(id: string): Promise<Job | undefined>;
  /** Newest first. */
  list(limit: number): Promise<Job[]>;
  start(id: string, at: number): Promise<void>;
  progress(id: string, done: number, total: number): Promise<void>;
  finish(id: string, status: JobStatus, at: number, error?: string): Promise<void>;
  remove(id: string): Promise<void>;
  /**
   * At start: jobs that were running when the daemon stopped are marked interrupted (a half-written report is not
   * trusted, and re-running silently would surprise whoever asked); the queued ones are returned, oldest first.
   */
  recover(at: number): Promise<Job[]>;
}

export function jobStore(database: Database): JobStore {
  const db = database.db;
  return {
    async insert(job) {
      await db.insertInto("backtest_jobs").values({
        id: job.id,
        status: job.status,
        options: JSON.stringify(job.options),
        requested_by: job.requestedBy,
        reason: job.reason,
        created_at: job.createdAt,
        started_at: job.startedAt ?? null,
        finished_at: job.finishedAt ?? null,
        bars_done: job.barsDone,
        bars_total: job.barsTotal,
        error: job.error ?? null,
        out_dir: job.outDir,
      }).execute();
    },
    async get(id) {
      const row = await db.selectFrom("backtest_jobs").selectAll().where("id", "=", id).executeTakeFirst();
      return row ? toJob(row) : undefined;
    },
    async list(limit) {
      const rows = await db.selectFrom("backtest_jobs").selectAll().orderBy("created_at", "desc").orderBy("id", "desc")
        .limit(limit).execute();
      return rows.map(toJob);
    },
    async start(id, at) {
      await db.updateTable("backtest_jobs").set({ status: "running", started_at: at }).where("id", "=", id).execute();
    },
    async progress(id, done, total) {
      await db.updateTable("backtest_jobs").set({ bars_done: done, bars_total: total }).where("id", "=", id)
        .execute();
    },
    async finish(id, status, at, error) {
      await db.updateTable("backtest_jobs").set({ status, finished_at: at, error: error ?? null }).where("id", "=", id)
        .execute();
    },
    async remove(id) {
      await db.deleteFrom("backtest_jobs").where("id", "=", id).execute();
    },
    async recover(at) {
      await db.updateTable("backtest_jobs").set({
        status: "interrupted",
        finished_at: at,
        error: "the daemon stopped while it ran; submit it again",
      }).where("status", "=", "running").execute();
      const rows = await db.selectFrom("backtest_jobs").selectAll().where("status", "=", "queued")
        .orderBy("created_at", "asc").orderBy("id", "asc").execute();
      return rows.map(toJob);
    },
  };
}
