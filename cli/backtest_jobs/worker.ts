/**
 * A backtest job in a Worker, off the daemon's thread: the same code as `deno task backtest` (cli/backtest.ts), its
 * progress posted as it goes. The handler is registered before anything awaits, or early messages are lost.
 */
import { type BacktestOptions, isUsageProblem, runBacktestJob } from "../backtest.ts";

export type ToJobWorker = {
  readonly type: "run";
  readonly id: string;
  readonly options: BacktestOptions;
  readonly module: string;
};
export type FromJobWorker =
  | { readonly type: "progress"; readonly id: string; readonly done: number; readonly total: number }
  | {
    readonly type: "done";
    readonly id: string;
    readonly bars: number;
    readonly elapsedMs: number;
    readonly warnings: string[];
  }
  | { readonly type: "failed"; readonly id: string; readonly error: string };

interface Scope {
  onmessage: ((event: MessageEvent<ToJobWorker>) => void) | null;
  postMessage(message: FromJobWorker): void;
}
const scope = self as unknown as Scope;

scope.onmessage = async ({ data: job }) => {
  const warnings: string[] = [];
  try {
    const result = await runBacktestJob(job.options, job.module, {
      warn: (message) => warnings.length < 100 && warnings.push(message),
      onProgress: (done, total) => scope.postMessage({ type: "progress", id: job.id, done, total }),
    });
    scope.postMessage({ type: "done", id: job.id, bars: result.bars, elapsedMs: result.elapsedMs, warnings });
  } catch (err) {
    // A mistake in the options or data is the caller's to fix; anything else is a bug, with its stack.
    const error = isUsageProblem(err) ? (err as Error).message : (err as Error)?.stack ?? String(err);
    scope.postMessage({ type: "failed", id: job.id, error });
  }
};
