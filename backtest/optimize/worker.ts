/**
 * Optimiser pool worker: on "init" it opens the shared columns (no copy, no parsing) and imports the strategies; then
 * it runs chunks of jobs, one chunk per message, in the order they came, and answers each with its results and the
 * time it took (the pool sizes the next chunks from it). Only plain data crosses the boundary (see types.ts). The handler is registered
 * before anything awaits, or early messages are lost.
 */
import { createRunner, errorText as text, runJob, type Runner } from "./runner.ts";
import { openData, type SharedData } from "./shared.ts";
import type { Job, JobOutcome, RunSetup } from "./types.ts";

export type ToWorker =
  | { readonly type: "init"; readonly setup: RunSetup; readonly data: SharedData }
  | { readonly type: "run"; readonly chunk: number; readonly jobs: readonly Job[] };
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "results"; readonly chunk: number; readonly results: readonly JobOutcome[]; readonly ms: number }
  | { readonly type: "error"; readonly message: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}
const scope = self as unknown as WorkerScope;
let runner: Runner | undefined;
/** The chunks still to run, chained. */
let queue = Promise.resolve();

scope.onmessage = async (event) => {
  const msg = event.data;
  switch (msg.type) {
    case "init":
      try {
        runner = createRunner(msg.setup, openData(msg.data));
        // Strategy modules load now: a Worker's start-up cost is measured whole, its first job's is the job's.
        const modules = msg.setup.strategies?.map((s) => s.module) ?? [msg.setup.module!];
        await Promise.all(modules.map((m) => import(m)));
        scope.postMessage({ type: "ready" });
      } catch (err) {
        scope.postMessage({ type: "error", message: text(err) });
      }
      return;
    case "run":
      // The pool sends the next chunk before this one ends: chunks run one after the other, answered in order.
      queue = queue.then(() => runChunk(msg.chunk, msg.jobs));
      return;
  }
};

async function runChunk(chunk: number, jobs: readonly Job[]): Promise<void> {
  if (!runner) return scope.postMessage({ type: "error", message: "run before init" });
  const t0 = performance.now();
  const results: JobOutcome[] = [];
  // A job that throws comes back as a failure (runJob); the chunk goes on.
  for (const job of jobs) results.push(await runJob(runner, job));
  scope.postMessage({ type: "results", chunk, results, ms: performance.now() - t0 });
}
