/**
 * A pool of Web Workers that grows to what a search is worth. The data goes to each Worker once, as shared columns
 * (shared.ts). One Worker starts with the pool (while the data may still be loading); its first chunks are single
 * combinations, which measure the cold and the warm cost of one; more Workers start only while they save more than
 * their start-up and JIT warm-up cost (schedule.ts), so a small or quick search never waits for, or shares the cores
 * with, Workers it does not need. Work goes out in chunks sized to the measured cost, and results
 * come back in job order whatever order the Workers finish in, streamed as soon as the ones before them are in, so a
 * search is deterministic. Size 0 runs the jobs in this thread (debugging, profiling).
 */
import { createRunner, type RunData, runJob } from "./runner.ts";
import type { FromWorker, ToWorker } from "./worker.ts";
import type { Job, JobOutcome, RunSetup } from "./types.ts";
import { OptimizeError } from "./errors.ts";
import { shareData } from "./shared.ts";
import { chunkSize, costTracker, workersFor } from "./schedule.ts";

export interface PoolOptions {
  /** Combinations per message, fixed, and every Worker started at once (tests); default: adapted to the cost. */
  readonly chunk?: number;
}

export interface PoolStats {
  /** The most Workers the pool may run (0: this thread). */
  readonly size: number;
  /** Workers started so far. */
  readonly started: number;
  /** Chunks (messages of combinations) sent so far. */
  readonly chunks: number;
  /** Measured: mean ms per combination in a Worker, and ms for a Worker to start (NaN until known). */
  readonly costMs: number;
  readonly bootMs: number;
  /** Measured: ms of the first, cold, combination (NaN until known). */
  readonly firstMs: number;
  /** Per Worker, in start order: what it cost and did (the bench reports where the wall time went). */
  readonly workers: readonly WorkerStats[];
}

export interface WorkerStats {
  /** From `new Worker` to its "ready" (NaN until ready). */
  readonly bootMs: number;
  /** Time it spent running chunks, as it measured it, and the combinations and chunks it ran. */
  readonly busyMs: number;
  readonly jobs: number;
  readonly chunks: number;
  /** Main-thread clock (performance.now()) of its spawn, its ready, and its last answer (NaN: none yet). */
  readonly spawnedAt: number;
  readonly readyAt: number;
  readonly lastAt: number;
}

export interface Pool {
  readonly size: number;
  /**
   * Runs every job. `onResult(outcome, position)` gets the outcomes in job order as they become available, then
   * `onDone(done, total)`. A job whose backtest throws comes back as a JobFailure; a crashed Worker rejects (naming
   * the Worker and the jobs it held) and the pool refuses further runs.
   */
  run(
    jobs: readonly Job[],
    onDone?: (done: number, total: number) => void,
    onResult?: (outcome: JobOutcome, position: number) => void,
  ): Promise<JobOutcome[]>;
  stats(): PoolStats;
  close(): void;
}

export function defaultWorkers(): number {
  return Math.max(1, navigator.hardwareConcurrency || 1);
}

/**
 * `data` may still be loading: the first Worker starts at once and loads its code meanwhile (its start-up overlaps
 * the parsing); it gets the data when it is there. A load that fails fails the pool.
 */
export async function createPool(
  setup: RunSetup,
  data: RunData | Promise<RunData>,
  size = defaultWorkers(),
  options: PoolOptions = {},
): Promise<Pool> {
  if (!(Number.isInteger(size) && size >= 0)) throw new OptimizeError(`workers must be an integer ≥ 0, got ${size}`);
  if (options.chunk !== undefined && !(Number.isInteger(options.chunk) && options.chunk >= 1)) {
    throw new OptimizeError(`chunk must be an integer ≥ 1, got ${options.chunk}`);
  }
  return size === 0 ? inlinePool(setup, await data) : await workerPool(setup, data, size, options);
}

function inlinePool(setup: RunSetup, data: RunData): Pool {
  const runner = createRunner(setup, data);
  return {
    size: 0,
    async run(jobs, onDone, onResult) {
      const out: JobOutcome[] = [];
      for (const job of jobs) {
        const outcome = await runJob(runner, job);
        out.push(outcome);
        onResult?.(outcome, out.length - 1);
        onDone?.(out.length, jobs.length);
      }
      return out;
    },
    stats: () => ({ size: 0, started: 0, chunks: 0, costMs: NaN, bootMs: NaN, firstMs: NaN, workers: [] }),
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

/**
 * Chunks each Worker holds at once: the next one waits in its queue while it runs one, so it never idles for a round
 * trip through the main thread (which, on a loaded machine, may not be scheduled for milliseconds).
 */
const DEPTH = 2;

interface Slot {
  readonly index: number;
  readonly worker: Worker;
  ready: boolean;
  stats: { -readonly [K in keyof WorkerStats]: WorkerStats[K] };
  /** The chunks it holds, oldest first: positions [start, start + count) of the current run. */
  held: { readonly start: number; readonly count: number }[];
}

/** What the pool's Workers report into: the run in progress, if any. */
interface Run {
  readonly results: (slot: Slot, msg: Extract<FromWorker, { type: "results" }>) => void;
  readonly joined: (slot: Slot) => void;
  readonly fail: (message: string) => void;
}

async function workerPool(
  setup: RunSetup,
  data: RunData | Promise<RunData>,
  size: number,
  options: PoolOptions,
): Promise<Pool> {
  const sharing = Promise.resolve(data).then(shareData);
  const slots: Slot[] = [];
  const cost = costTracker();
  let bootMs = NaN;
  let chunks = 0;
  let broken: string | undefined;
  let current: Run | undefined;
  let firstReady: { resolve: () => void; reject: (err: Error) => void } | undefined;

  const breakWith = (message: string) => {
    broken ??= message;
    firstReady?.reject(new OptimizeError(message));
    current?.fail(message);
  };

  const spawn = () => {
    const index = slots.length;
    const started = performance.now();
    const worker = new Worker(workerUrl(), { type: "module" });
    const stats = { bootMs: NaN, busyMs: 0, jobs: 0, chunks: 0, spawnedAt: started, readyAt: NaN, lastAt: NaN };
    const slot: Slot = { index, worker, ready: false, stats, held: [] };
    worker.onmessage = (e: MessageEvent<FromWorker>) => {
      const msg = e.data;
      switch (msg.type) {
        case "ready":
          slot.ready = true;
          stats.readyAt = performance.now();
          stats.bootMs = stats.readyAt - started;
          if (Number.isNaN(bootMs)) bootMs = stats.bootMs; // the first Worker ready
          firstReady?.resolve();
          current?.joined(slot);
          return;
        case "results":
          current?.results(slot, msg);
          return;
        case "error":
          breakWith(`optimiser worker ${index}: ${msg.message}`);
          return;
      }
    };
    worker.onerror = (e: ErrorEvent) => {
      // Without preventDefault an uncaught error in a worker ends the whole process.
      e.preventDefault();
      const first = slot.held[0], last = slot.held[slot.held.length - 1];
      const held = first ? ` while running combinations ${first.start + 1}–${last.start + last.count}` : "";
      breakWith(`optimiser worker ${index} crashed${held}: ${e.message}`);
      worker.terminate();
    };
    slots.push(slot);
    // A failed load is reported by createPool (it awaits `sharing`), not here.
    sharing.then((shared) => worker.postMessage({ type: "init", setup, data: shared } satisfies ToWorker), () => {});
  };
  const close = () => slots.forEach((s) => s.worker.terminate());

  // One Worker now: a setup it cannot load fails here, before any run. The others start when they are worth it.
  const first = new Promise<void>((resolve, reject) => firstReady = { resolve, reject });
  spawn();
  if (options.chunk !== undefined) { while (slots.length < size) spawn(); }
  first.catch(() => {}); // handled below, after the data: not an unhandled rejection meanwhile
  try {
    await sharing;
    await first;
  } catch (err) {
    close();
    throw err;
  } finally {
    firstReady = undefined;
  }

  const run = (
    jobs: readonly Job[],
    onDone?: (done: number, total: number) => void,
    onResult?: (outcome: JobOutcome, position: number) => void,
  ) =>
    new Promise<JobOutcome[]>((resolve, reject) => {
      if (broken) return reject(new OptimizeError(broken));
      if (current) return reject(new OptimizeError("the pool is already running a search"));
      const n = jobs.length;
      const results = new Array<JobOutcome>(n);
      const have = new Uint8Array(n);
      let next = 0, emitted = 0, target = slots.length;
      const finish = (err?: Error) => {
        current = undefined;
        for (const s of slots) s.held = [];
        // Workers may still hold chunks of a failed run: their answers would confuse the next one.
        if (err) broken ??= err.message;
        if (err) reject(err);
        else resolve(results);
      };
      const grow = () => {
        if (options.chunk !== undefined || !cost.warm) return;
        target = Math.max(target, workersFor(n - next, cost.perJob, cost.firstMs, bootMs, size));
        while (slots.length < target) spawn();
      };
      const feed = (slot: Slot) => {
        while (next < n && slot.ready && slot.held.length < DEPTH) {
          // Until the cost is known, a Worker holds one combination at a time (the first one measures the cost).
          if (options.chunk === undefined && !cost.known && slot.held.length > 0) return;
          const count = Math.min(
            n - next,
            options.chunk ?? (cost.known ? chunkSize(n - next, cost.perJob, target) : 1),
          );
          slot.held.push({ start: next, count });
          slot.worker.postMessage(
            { type: "run", chunk: next, jobs: jobs.slice(next, next + count) } satisfies ToWorker,
          );
          next += count;
          chunks++;
        }
      };
      current = {
        joined: (slot) => feed(slot),
        fail: (message) => finish(new OptimizeError(message)),
        results: (slot, msg) => {
          // A Worker answers its chunks in the order it got them.
          const held = slot.held.shift();
          if (!held || held.start !== msg.chunk || held.count !== msg.results.length) {
            return finish(new OptimizeError(`optimiser worker ${slot.index} answered a chunk it was not given`));
          }
          cost.add(held.count, msg.ms);
          slot.stats.busyMs += msg.ms;
          slot.stats.jobs += held.count;
          slot.stats.chunks++;
          slot.stats.lastAt = performance.now();
          msg.results.forEach((r, i) => {
            results[held.start + i] = r;
            have[held.start + i] = 1;
          });
          try {
            while (emitted < n && have[emitted]) {
              onResult?.(results[emitted], emitted);
              emitted++;
              onDone?.(emitted, n);
            }
          } catch (err) {
            // A callback's error ends the run (it would otherwise be an uncaught error in a message handler).
            return finish(err as Error);
          }
          if (emitted === n) return finish();
          grow();
          for (const s of [slot, ...slots]) feed(s);
        },
      };
      if (n === 0) return finish();
      grow();
      for (const s of slots) feed(s);
    });

  return {
    size,
    run,
    stats: () => ({
      size,
      started: slots.length,
      chunks,
      costMs: cost.perJob,
      bootMs,
      firstMs: cost.firstMs,
      workers: slots.map((s) => ({ ...s.stats })),
    }),
    close,
  };
}
