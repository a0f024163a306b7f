/**
 * A bounded pool of Workers for backtest jobs: at most `size` run at once, each in its own Worker, so a job never
 * runs on the daemon's thread. A Worker runs one job and is then reused; a cancelled job's Worker is terminated
 * (a backtest is one synchronous loop: nothing short of that stops it) and replaced when next needed.
 *
 * Workers are sandboxed: they may read the source tree, the data directories and the strategies directory, and
 * write only under the jobs' output directory; no network, no environment, no subprocess.
 */
import { dirname } from "node:path";
import { fileURLToPath as fromFileUrl } from "node:url";
import type { FromJobWorker, ToJobWorker } from "./worker.ts";

export interface PoolJob extends Omit<ToJobWorker, "type"> {}

export interface JobEvents {
  progress(done: number, total: number): void;
  done(result: Extract<FromJobWorker, { type: "done" }>): void;
  failed(error: string): void;
}

export interface JobPool {
  readonly size: number;
  /** Workers free for a job now. */
  readonly free: number;
  /** Runs `job` on a free Worker; throws when none is free (the caller keeps the queue). */
  run(job: PoolJob, events: JobEvents): void;
  /** Stops a running job at once (its Worker is terminated); false when it is not running here. */
  cancel(id: string): boolean;
  close(): void;
}

export interface PoolOptions {
  readonly size: number;
  readonly readable: readonly string[];
  readonly writable: readonly string[];
}

const WORKER = new URL("./worker.ts", import.meta.url);
/** The source tree (modules, built-in strategies). */
const SOURCE = fromFileUrl(new URL("../../", import.meta.url));

/** Where the npm package of the report's charts lies (read at report time). */
function chartPackage(): string[] {
  try {
    return [dirname(dirname(fromFileUrl(import.meta.resolve("uplot/dist/uPlot.min.css"))))];
  } catch {
    return [];
  }
}

interface Slot {
  worker: Worker | undefined;
  job: string | undefined;
}

export function createJobPool(options: PoolOptions): JobPool {
  if (!(Number.isInteger(options.size) && options.size >= 1)) {
    throw new RangeError(`a job pool needs at least one worker, got ${options.size}`);
  }
  const slots: Slot[] = Array.from({ length: options.size }, () => ({ worker: undefined, job: undefined }));
  const readable = [SOURCE, ...chartPackage(), ...options.readable];
  const spawn = () =>
    new Worker(WORKER, {
      type: "module",
      deno: {
        permissions: {
          read: readable,
          write: [...options.writable],
          net: false,
          env: false,
          run: false,
          ffi: false,
          sys: false,
          import: false,
        },
      },
    } as WorkerOptions);
  const release = (slot: Slot, terminate: boolean) => {
    slot.job = undefined;
    if (terminate && slot.worker) {
      slot.worker.terminate();
      slot.worker = undefined;
    }
  };
  return {
    size: options.size,
    get free() {
      return slots.filter((s) => s.job === undefined).length;
    },
    run(job, events) {
      const slot = slots.find((s) => s.job === undefined);
      if (!slot) throw new Error("no free worker");
      const worker = slot.worker ??= spawn();
      slot.job = job.id;
      worker.onmessage = ({ data }: MessageEvent<FromJobWorker>) => {
        if (data.id !== job.id || slot.job !== job.id) return;
        switch (data.type) {
          case "progress":
            events.progress(data.done, data.total);
            return;
          case "done":
            release(slot, false);
            events.done(data);
            return;
          case "failed":
            release(slot, false);
            events.failed(data.error);
            return;
        }
      };
      worker.onerror = (e: ErrorEvent) => {
        // Without preventDefault an uncaught error in a Worker ends the whole process (the daemon).
        e.preventDefault();
        if (slot.job !== job.id) return;
        release(slot, true);
        events.failed(`the backtest worker crashed: ${e.message}`);
      };
      worker.postMessage({ type: "run", ...job } satisfies ToJobWorker);
    },
    cancel(id) {
      const slot = slots.find((s) => s.job === id);
      if (!slot) return false;
      release(slot, true);
      return true;
    },
    close() {
      for (const slot of slots) release(slot, true);
    },
  };
}
