/**
 * Backtest jobs for the operator API (actors/gateway/routes/backtest.ts): the options of `deno task backtest`
 * checked by its own code (cli/backtest.ts), data only under the configured data directories, strategies only
 * built-ins or files under the strategies directory; then a bounded queue in front of a bounded Worker pool
 * (pool.ts), with every job in the store (store.ts) so that the list, the results and the queue survive a restart.
 *
 * After a restart, jobs that were running are marked interrupted (their report may be half written; whoever asked
 * decides whether to submit again), and queued ones run.
 */
import { realpathSync } from "node:fs";
import { isAbsolute, join, resolve, sep } from "node:path";
import type { Database } from "../../storage/db.ts";
import type { Answer, Why } from "../../actors/gateway/routes/strategy_control.ts";
import { type BacktestService, JOB_FILES, type JobFile } from "../../actors/gateway/routes/backtest.ts";
import { allowedStrategy, loadDefinition } from "../../actors/system/strategy_sources.ts";
import { ParamError, validateParams } from "../../strategies/params.ts";
import { type BacktestOptions, dataSpec, resolveBacktestOptions } from "../backtest.ts";
import { UsageError } from "../args.ts";
import { createJobPool, type JobPool } from "./pool.ts";
import { FINISHED, type Job, jobStore } from "./store.ts";

export interface JobsOptions {
  readonly database: Database;
  /** Directories backtest data may be read from (api.dataDirs). */
  readonly dataDirs: readonly string[];
  /** Strategy files the API may run, besides the built-ins (api.strategiesDir). */
  readonly strategiesDir?: string;
  /** Where each job's report files go (a directory per job). */
  readonly outRoot: string;
  readonly workers: number;
  /** Jobs that may wait beyond the running ones. */
  readonly queue: number;
  readonly log: (level: "info" | "warn" | "error", msg: string, fields?: Record<string, unknown>) => void;
  readonly now?: () => number;
}

export type BacktestJobs = BacktestService & { close(): Promise<void> };

/** What a job runs with, as stored: the checked options and the strategy's module URL. */
interface Stored {
  readonly options: BacktestOptions;
  readonly module: string;
}

const fail = (status: number, error: string): Answer & { ok: false } => ({ ok: false, status, error });
const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  json: "application/json",
  csv: "text/csv; charset=utf-8",
};

const links = (id: string) => ({
  status: `/api/v1/backtest/${id}/status`,
  results: `/api/v1/backtest/${id}/results`,
  ...Object.fromEntries(JOB_FILES.map((f) => [f, `/api/v1/backtest/${id}/files/${f}`])),
});

function view(job: Job) {
  const { options } = job.options as unknown as Stored;
  return {
    id: job.id,
    status: job.status,
    requestedBy: job.requestedBy,
    reason: job.reason,
    createdAt: job.createdAt,
    ...(job.startedAt ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt ? { finishedAt: job.finishedAt } : {}),
    progress: {
      bars: job.barsDone,
      of: job.barsTotal,
      fraction: job.status === "done" ? 1 : job.barsTotal > 0 ? job.barsDone / job.barsTotal : 0,
    },
    ...(job.error ? { error: job.error } : {}),
    options: { ...options, out: undefined },
    links: links(job.id),
  };
}

/** A data file under one of `dirs`: relative paths are looked up in each directory in turn. */
function dataPath(path: string, dirs: readonly string[]): string | undefined {
  const candidates = isAbsolute(path) ? [path] : dirs.map((d) => resolve(d, path));
  for (const candidate of candidates) {
    let real: string;
    try {
      real = realpathSync(candidate);
    } catch {
      continue;
    }
    for (const dir of dirs) {
      let root: string;
      try {
        root = realpathSync(dir);
      } catch {
        continue;
      }
      if (real.startsWith(root + sep)) return real;
    }
  }
  return undefined;
}

export async function createBacktestJobs(options: JobsOptions): Promise<BacktestJobs> {
  const now = options.now ?? Date.now;
  const store = jobStore(options.database);
  const pool: JobPool = createJobPool({
    size: options.workers,
    readable: [...options.dataDirs, ...(options.strategiesDir ? [options.strategiesDir] : [])],
    writable: [options.outRoot],
  });
  await Deno.mkdir(options.outRoot, { recursive: true });
  const queue: string[] = [];
  const running = new Set<string>();
  let closed = false;
  const log = options.log;

  /** Starts waiting jobs while Workers are free. */
  async function dispatch(): Promise<void> {
    while (!closed && pool.free > 0 && queue.length > 0) {
      const id = queue.shift()!;
      const job = await store.get(id);
      if (!job || job.status !== "queued") continue;
      await start(job);
    }
  }

  async function start(job: Job): Promise<void> {
    const stored = job.options as unknown as Stored;
    running.add(job.id);
    await store.start(job.id, now());
    let finished = false;
    const end = (status: "done" | "failed", error?: string) => {
      if (finished) return;
      finished = true;
      running.delete(job.id);
      void store.finish(job.id, status, now(), error)
        .catch((err) => log("error", "cannot record a backtest job's end", { id: job.id, error: String(err) }))
        .finally(() => void dispatch());
    };
    pool.run({ id: job.id, options: stored.options, module: stored.module }, {
      progress: (done, total) => void store.progress(job.id, done, total).catch(() => {}),
      done: (result) => {
        void store.progress(job.id, result.bars, result.bars).catch(() => {});
        log("info", "backtest job done", { id: job.id, bars: result.bars, elapsedMs: Math.round(result.elapsedMs) });
        end("done");
      },
      failed: (error) => {
        log("warn", "backtest job failed", { id: job.id, error: error.split("\n")[0] });
        end("failed", error);
      },
    });
  }

  /** The options as `deno task backtest` reads them, then the API's own rules: paths and strategy. */
  async function check(body: Readonly<Record<string, unknown>>): Promise<Stored | Answer & { ok: false }> {
    if (options.dataDirs.length === 0) {
      // Refused by configuration (as a mutating call without an admin token is), not a passing outage.
      return fail(403, "backtests need data directories: set api.dataDirs in the daemon's config");
    }
    let parsed: BacktestOptions;
    try {
      parsed = await resolveBacktestOptions(body);
    } catch (err) {
      if (err instanceof UsageError) return fail(400, err.message);
      throw err;
    }
    // A portfolio names files and modules relative to a file the daemon does not have: not over the API (yet).
    if (parsed.portfolio) return fail(400, "portfolio backtests (several strategies) run with deno task backtest only");
    const data: string[] = [];
    for (const spec of parsed.data) {
      const { symbol, path } = dataSpec(spec);
      const real = dataPath(path, options.dataDirs);
      if (real === undefined) {
        return fail(400, `data ${JSON.stringify(path)}: no such file under the data directories (api.dataDirs)`);
      }
      data.push(symbol ? `${symbol}=${real}` : real);
    }
    const allowed = allowedStrategy(parsed.strategy, options.strategiesDir);
    if (!allowed.ok) return fail(400, allowed.error);
    const def = await loadDefinition(allowed.module);
    if (typeof def === "string") return fail(400, def);
    try {
      validateParams(def.name ?? parsed.strategy, def.params, parsed.params, def.constraint);
    } catch (err) {
      if (err instanceof ParamError) return fail(400, err.message);
      throw err;
    }
    return { options: { ...parsed, data }, module: allowed.module };
  }

  async function submit(body: Readonly<Record<string, unknown>>, why: Why): Promise<Answer> {
    if (closed) return fail(503, "the daemon is stopping");
    const checked = await check(body);
    if ("ok" in checked) return checked;
    if (pool.free === 0 && queue.length >= options.queue) {
      return fail(
        429,
        `the backtest queue is full (${running.size} running, ${queue.length} waiting, at most ${options.queue}); ` +
          `retry later`,
      );
    }
    const refused = why.commit?.();
    if (refused) return fail(503, refused);
    const id = crypto.randomUUID();
    const outDir = join(options.outRoot, id);
    const stored: Stored = { options: { ...checked.options, out: outDir, json: false }, module: checked.module };
    const job: Job = {
      id,
      status: "queued",
      options: stored as unknown as Record<string, unknown>,
      requestedBy: why.by,
      reason: why.reason,
      createdAt: now(),
      barsDone: 0,
      barsTotal: 0,
      outDir,
    };
    await store.insert(job);
    queue.push(id);
    await dispatch();
    const current = await store.get(id);
    return { ok: true, status: 202, body: view(current ?? job) };
  }

  async function finishedJob(id: string): Promise<Job | Answer & { ok: false }> {
    const job = await store.get(id);
    if (!job) return fail(404, `no backtest job ${id}`);
    if (job.status !== "done") {
      return fail(409, `backtest job ${id} is ${job.status}${job.error ? `: ${job.error.split("\n")[0]}` : ""}`);
    }
    return job;
  }

  for (const job of await store.recover(now())) queue.push(job.id);
  if (queue.length > 0) log("info", "backtest jobs queued before the restart run now", { jobs: queue.length });
  await dispatch();

  return {
    submit,
    async list() {
      return { ok: true, status: 200, body: { jobs: (await store.list(200)).map(view) } };
    },
    async status(id) {
      const job = await store.get(id);
      return job ? { ok: true, status: 200, body: view(job) } : fail(404, `no backtest job ${id}`);
    },
    async results(id) {
      const job = await finishedJob(id);
      if ("ok" in job) return job;
      try {
        const report = JSON.parse(await Deno.readTextFile(join(job.outDir, "report.json")));
        return { ok: true, status: 200, body: { id, report, links: links(id) } };
      } catch (err) {
        return fail(410, `the report of job ${id} is gone (${(err as Error).message})`);
      }
    },
    async file(id, name): Promise<JobFile | Answer & { ok: false }> {
      if (!(JOB_FILES as readonly string[]).includes(name)) return fail(404, `no file ${name}`);
      const job = await finishedJob(id);
      if ("ok" in job) return job;
      try {
        const body = await Deno.readFile(join(job.outDir, name));
        return { body, contentType: CONTENT_TYPES[name.split(".").pop()!] };
      } catch {
        return fail(410, `${name} of job ${id} is gone`);
      }
    },
    async cancel(id, why) {
      const job = await store.get(id);
      if (!job) return fail(404, `no backtest job ${id}`);
      const refused = why.commit?.();
      if (refused) return fail(503, refused);
      if ((FINISHED as readonly string[]).includes(job.status)) {
        await store.remove(id);
        await Deno.remove(job.outDir, { recursive: true }).catch(() => {});
        return { ok: true, status: 200, body: { id, deleted: true, was: job.status } };
      }
      const i = queue.indexOf(id);
      if (i >= 0) queue.splice(i, 1);
      if (pool.cancel(id)) running.delete(id);
      await store.finish(id, "cancelled", now(), `cancelled by ${why.by}: ${why.reason}`);
      await Deno.remove(job.outDir, { recursive: true }).catch(() => {});
      void dispatch();
      return { ok: true, status: 200, body: { id, cancelled: true, was: job.status } };
    },
    async close() {
      closed = true;
      pool.close();
      for (const id of running) {
        await store.finish(id, "interrupted", now(), "the daemon stopped while it ran; submit it again");
      }
      running.clear();
    },
  };
}
