/**
 * equity.csv files written on a second thread while the main one computes the statistics and the other report files:
 * at 1M bars each is ~60 MB of shortest round-trip numbers, the largest part of the report's CPU (a portfolio writes
 * one per strategy too), and a small VM has a second core for them. Each file goes to the Worker as soon as it is
 * queued; the main thread, once its own work is done (`help`), takes those the Worker has not started. Who writes a
 * file is settled by an atomic claim on shared memory, so the Worker goes from one file to the next without waiting
 * for the main thread's event loop. Columns on SharedArrayBuffers (the backtest's record) cross without a copy. The
 * Worker starts before the data is parsed, so it is ready when the run ends; when it cannot start (a build without its
 * module, say) every file is written here: the same bytes either way.
 */
import { writeEquityFile } from "./csv.ts";
import type { FromEquityWorker, ToEquityWorker } from "./equity_worker.ts";

const WORKER = new URL("./equity_worker.ts", import.meta.url);
const UNCLAIMED = 0, WORKER_CLAIM = 1, MAIN_CLAIM = 2;

export interface EquityCsvWriter {
  /** Queues the file at `path` (the first curve given for a path counts; later ones are ignored). */
  write(path: string, ts: Float64Array, equity: Float64Array): void;
  /** The write of `path`, when it was queued: settles when the file is written, rejects with its error. */
  written(path: string): Promise<void> | undefined;
  /** Writes the queued files the Worker has not started, here; settles when every queued file is written. */
  help(): Promise<void>;
  /** Ends the Worker; files not yet written are not (a run that failed). */
  close(): void;
  /** True once the Worker is up; false when it could not start (the files are written on this thread). */
  readonly started: Promise<boolean>;
  /** Files written so far by the Worker and by this thread. */
  shares(): { worker: number; here: number };
}

interface Job {
  readonly id: number;
  readonly path: string;
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  readonly claim: Int32Array;
  readonly done: Promise<void>;
  readonly settle: (err?: Error) => void;
  settled: boolean;
}

/** `worker` is the Worker's module (tests give one that fails to load, to see the files written here instead). */
export function createEquityCsvWriter(worker: URL = WORKER): EquityCsvWriter {
  const jobs: Job[] = [];
  const byPath = new Map<string, Job>();
  /** Columns copied onto shared memory, by source (one bar-time column serves every file). */
  const sharedCopies = new WeakMap<Float64Array, Float64Array>();
  let thread: Worker | undefined;
  let ready = false;
  let closed = false;
  const shares = { worker: 0, here: 0 };
  let up!: (ok: boolean) => void;
  const started = new Promise<boolean>((resolve) => up = resolve);

  const shared = (a: Float64Array) => {
    if (a.buffer instanceof SharedArrayBuffer) return a;
    let copy = sharedCopies.get(a);
    if (!copy) {
      copy = new Float64Array(new SharedArrayBuffer(a.length * 8));
      copy.set(a);
      sharedCopies.set(a, copy);
    }
    return copy;
  };
  const post = (job: Job) => {
    const { id, path, ts, equity, claim } = job;
    thread!.postMessage({ type: "write", id, path, ts, equity, claim } satisfies ToEquityWorker);
  };
  const here = async (job: Job) => {
    try {
      await writeEquityFile(job.path, job.ts, job.equity);
      shares.here++;
      job.settle();
    } catch (err) {
      job.settle(err instanceof Error ? err : new Error(String(err)));
    }
  };
  /** Claims `job` for this thread; false when the Worker has it. */
  const claimHere = (job: Job) => Atomics.compareExchange(job.claim, 0, UNCLAIMED, MAIN_CLAIM) === UNCLAIMED;
  /** The Worker is gone (it failed to start or crashed): what it held is written here, and what it had not taken. */
  const lost = () => {
    thread?.terminate();
    thread = undefined;
    up(false);
    if (closed) return;
    for (const job of jobs) {
      if (job.settled) continue;
      if (claimHere(job) || Atomics.load(job.claim, 0) === WORKER_CLAIM) void here(job);
    }
  };

  try {
    thread = new Worker(worker, { type: "module" });
    thread.onmessage = (e: MessageEvent<FromEquityWorker>) => {
      const msg = e.data;
      switch (msg.type) {
        case "ready":
          ready = true;
          up(true);
          for (const job of jobs) if (!job.settled) post(job);
          return;
        case "written":
          shares.worker++;
          jobs[msg.id].settle();
          return;
        case "failed":
          jobs[msg.id].settle(rebuild(msg.name, msg.message));
          return;
        case "skipped":
          return; // the main thread has it
      }
    };
    thread.onerror = (e: ErrorEvent) => {
      // Without preventDefault a Worker's uncaught error ends the process; here it only costs the second thread.
      e.preventDefault();
      lost();
    };
  } catch {
    thread = undefined;
    up(false);
  }

  return {
    write(path, ts, equity) {
      if (closed || byPath.has(path)) return;
      let resolve!: () => void, reject!: (err: Error) => void;
      const done = new Promise<void>((res, rej) => [resolve, reject] = [res, rej]);
      // A run that fails after queuing never awaits it: its rejection must not end the process.
      done.catch(() => {});
      const job: Job = {
        id: jobs.length,
        path,
        ts: thread ? shared(ts) : ts,
        equity: thread ? shared(equity) : equity,
        claim: new Int32Array(new SharedArrayBuffer(4)),
        done,
        settled: false,
        settle: (err) => {
          if (job.settled) return;
          job.settled = true;
          if (err) reject(err);
          else resolve();
        },
      };
      jobs.push(job);
      byPath.set(path, job);
      if (!thread) void (claimHere(job) && here(job));
      else if (ready) post(job);
    },
    written: (path) => byPath.get(path)?.done,
    async help() {
      for (const job of jobs) if (!job.settled && claimHere(job)) await here(job);
      await Promise.allSettled(jobs.map((j) => j.done));
    },
    started,
    shares: () => ({ ...shares }),
    close() {
      closed = true;
      up(false);
      thread?.terminate();
      thread = undefined;
      for (const job of jobs) job.settle(new Error(`equity file ${job.path}: not written, the run ended`));
    },
  };
}

/** The Worker's error as the class the caller tests for (Deno.errors.PermissionDenied, NotFound…), else an Error. */
function rebuild(name: string, message: string): Error {
  const Os = (Deno.errors as Record<string, (new (message: string) => Error) | undefined>)[name];
  if (Os) return new Os(message);
  const err = new Error(message);
  err.name = name;
  return err;
}
