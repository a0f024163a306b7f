/**
 * A pool of Web Workers (default: one per core), each loading the bars once and running one job at a time.
 * Results come back in job order whatever order the workers finish in, so a search is deterministic.
 * Size 0 runs the jobs in this thread (debugging, profiling).
 */
import { createRunner, type RunData, runJob } from "./runner.ts";
import type { FromWorker, ToWorker } from "./worker.ts";
import type { Job, JobOutcome, RunSetup } from "./types.ts";
import { OptimizeError } from "./errors.ts";

export interface Pool {
  readonly size: number;
  /**
   * Runs every job; `onDone(done, total)` after each. A job whose backtest throws comes back as a JobFailure; only
   * a crashed worker rejects.
   */
  run(jobs: readonly Job[], onDone?: (done: number, total: number) => void): Promise<JobOutcome[]>;
  close(): void;
}

export function defaultWorkers(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

export async function createPool(setup: RunSetup, data: RunData, size = defaultWorkers()): Promise<Pool> {
  if (!(Number.isInteger(size) && size >= 0)) throw new OptimizeError(`workers must be an integer ≥ 0, got ${size}`);
  return size === 0 ? inlinePool(setup, data) : await workerPool(setup, data, size);
}

function inlinePool(setup: RunSetup, data: RunData): Pool {
  const runner = createRunner(setup, data);
  return {
    size: 0,
    async run(jobs, onDone) {
      const out: JobOutcome[] = [];
      for (const job of jobs) {
        out.push(await runJob(runner, job));
        onDone?.(out.length, jobs.length);
      }
      return out;
    },
    close() {},
  };
}

/**
 * The worker starts from a blob that imports worker.ts from a string, which `deno test` does not type-check again at
 * run time (`deno task check` has): no "Check" line and no seconds of checking. Early messages are replayed to it.
 */
function workerUrl(): string {
  const code = `const early = [];\nself.onmessage = (event) => early.push(event);\n` +
    `const url = ${JSON.stringify(new URL("./worker.ts", import.meta.url).href)};\nawait import(url);\n` +
    `for (const event of early) self.onmessage(event);\n`;
  return URL.createObjectURL(new Blob([code], { type: "application/javascript" }));
}

interface Slot {
  readonly worker: Worker;
  /** Where this worker's next message goes. */
  handle: (msg: FromWorker) => void;
  fail: (message: string) => void;
}

async function workerPool(setup: RunSetup, data: RunData, size: number): Promise<Pool> {
  const slots: Slot[] = [];
  const ready: Promise<void>[] = [];
  for (let i = 0; i < size; i++) {
    const worker = new Worker(workerUrl(), { type: "module" });
    const slot: Slot = { worker, handle: () => {}, fail: () => {} };
    worker.onmessage = (e: MessageEvent<FromWorker>) => slot.handle(e.data);
    worker.onerror = (e: ErrorEvent) => {
      // Without preventDefault an uncaught error in a worker ends the whole process.
      e.preventDefault();
      slot.fail(`optimiser worker ${i} crashed: ${e.message}`);
    };
    ready.push(
      new Promise<void>((resolve, reject) => {
        slot.handle = (msg) => msg.type === "ready" ? resolve() : reject(new OptimizeError(errorOf(msg)));
        slot.fail = (message) => reject(new OptimizeError(message));
      }),
    );
    slots.push(slot);
    worker.postMessage({ type: "init", setup, data } satisfies ToWorker);
  }
  const close = () => slots.forEach((s) => s.worker.terminate());
  try {
    await Promise.all(ready);
  } catch (err) {
    close();
    throw err;
  }
  return {
    size,
    run: (jobs, onDone) => dispatch(slots, jobs, onDone),
    close,
  };
}

function errorOf(msg: FromWorker): string {
  return msg.type === "error" ? msg.message : `unexpected message ${msg.type}`;
}

function dispatch(
  slots: readonly Slot[],
  jobs: readonly Job[],
  onDone?: (done: number, total: number) => void,
): Promise<JobOutcome[]> {
  return new Promise((resolve, reject) => {
    const results = new Array<JobOutcome>(jobs.length);
    const position = new Map(jobs.map((j, i) => [j.id, i]));
    let next = 0, done = 0, failed = false;
    const feed = (slot: Slot) => {
      if (failed || next >= jobs.length) return;
      slot.worker.postMessage({ type: "run", job: jobs[next++] } satisfies ToWorker);
    };
    const fail = (message: string) => {
      if (failed) return;
      failed = true;
      reject(new OptimizeError(message));
    };
    for (const slot of slots) {
      slot.fail = fail;
      slot.handle = (msg) => {
        if (msg.type !== "result") return fail(errorOf(msg));
        results[position.get(msg.result.id)!] = msg.result;
        done++;
        onDone?.(done, jobs.length);
        if (done === jobs.length) resolve(results);
        else feed(slot);
      };
    }
    if (jobs.length === 0) return resolve(results);
    for (const slot of slots) feed(slot);
  });
}
