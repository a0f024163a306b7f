/**
 * Writes one equity.csv on its own thread (equity_file.ts starts it): says "ready" once its handler is in place, then
 * takes one curve, writes the file and answers "written" or "failed" with the error's class name and message.
 */
import { dirname } from "node:path";
import { writeEquityCsv } from "./csv.ts";
import { drawdownSeries } from "./drawdown.ts";

export type ToEquityWorker = {
  readonly type: "write";
  readonly path: string;
  readonly ts: Float64Array;
  readonly equity: Float64Array;
};
export type FromEquityWorker =
  | { readonly type: "ready" }
  | { readonly type: "written" }
  | { readonly type: "failed"; readonly name: string; readonly message: string };

interface WorkerScope {
  onmessage: ((event: MessageEvent<ToEquityWorker>) => void) | null;
  postMessage(message: FromEquityWorker): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = async (event) => {
  const { path, ts, equity } = event.data;
  try {
    await Deno.mkdir(dirname(path), { recursive: true });
    await writeEquityCsv(path, ts, equity, drawdownSeries(equity));
    scope.postMessage({ type: "written" });
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    scope.postMessage({ type: "failed", name: e.name, message: e.message });
  }
};
scope.postMessage({ type: "ready" });
