/**
 * Optimiser pool worker: loads the bars once on "init", then runs jobs one at a time. Only plain data crosses
 * the boundary (see types.ts). The handler is registered before anything awaits, or early messages are lost.
 */
import { createRunner, errorText as text, runJob, type Runner } from "./runner.ts";
import type { RunData } from "./runner.ts";
import type { Job, RunSetup } from "./types.ts";

export type ToWorker = { readonly type: "init"; readonly setup: RunSetup; readonly data: RunData } | {
  readonly type: "run";
  readonly job: Job;
};
export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "result"; readonly result: import("./types.ts").JobOutcome }
  | { readonly type: "error"; readonly id?: number; readonly message: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToWorker>) => void) | null;
  postMessage(message: FromWorker): void;
}
const scope = self as unknown as WorkerScope;
let runner: Runner | undefined;

scope.onmessage = async (event) => {
  const msg = event.data;
  if (msg.type === "init") {
    try {
      runner = createRunner(msg.setup, msg.data);
      scope.postMessage({ type: "ready" });
    } catch (err) {
      scope.postMessage({ type: "error", message: text(err) });
    }
    return;
  }
  try {
    if (!runner) throw new Error("run before init");
    scope.postMessage({ type: "result", result: await runJob(runner, msg.job) });
  } catch (err) {
    scope.postMessage({ type: "error", id: msg.job.id, message: text(err) });
  }
};
