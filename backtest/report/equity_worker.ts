/**
 * Writes equity.csv files on its own thread (equity_file.ts): says "ready" once its handler is in place, then takes
 * each "write" in turn unless the main thread claimed it first (`claim`, 0 → 1 here, 0 → 2 there, atomically: it
 * needs no turn of the main thread's event loop, which is busy with the statistics), and answers "written", "failed"
 * (the error's class name and message) or "skipped".
 */
import { writeEquityFile } from "./csv.ts";

export type ToEquityWorker = {
  readonly type: "write";
  readonly id: number;
  readonly path: string;
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  /** One Int32 on a SharedArrayBuffer: 0 unclaimed, 1 this thread's, 2 the main thread's. */
  readonly claim: Int32Array;
};
export type FromEquityWorker =
  | { readonly type: "ready" }
  | { readonly type: "written"; readonly id: number }
  | { readonly type: "skipped"; readonly id: number }
  | { readonly type: "failed"; readonly id: number; readonly name: string; readonly message: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToEquityWorker>) => void) | null;
  postMessage(message: FromEquityWorker): void;
}
const scope = self as unknown as WorkerScope;

/** One file at a time, claimed only when its turn comes: the ones still waiting are the main thread's to take. */
let turn = Promise.resolve();
scope.onmessage = (event) => {
  turn = turn.then(() => write(event.data));
};

async function write({ id, path, ts, equity, claim }: ToEquityWorker): Promise<void> {
  if (Atomics.compareExchange(claim, 0, 0, 1) !== 0) {
    scope.postMessage({ type: "skipped", id });
    return;
  }
  try {
    await writeEquityFile(path, ts, equity);
    scope.postMessage({ type: "written", id });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    scope.postMessage({ type: "failed", id, name: e.name, message: e.message });
  }
}
scope.postMessage({ type: "ready" });
