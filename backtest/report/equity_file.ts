/**
 * equity.csv written on a second thread while the main one computes the statistics and the other report files: at
 * 1M bars it is the largest file (~60 MB, a third of the report's CPU), and a small VM has a second core for it.
 * The Worker is started before the data is parsed, so it is ready when the run ends. When it cannot start (a build
 * without its module, say) the file is written here instead: the same bytes either way.
 */
import { dirname } from "node:path";
import { writeEquityCsv } from "./csv.ts";
import { drawdownSeries } from "./drawdown.ts";
import type { FromEquityWorker, ToEquityWorker } from "./equity_worker.ts";

const WORKER = new URL("./equity_worker.ts", import.meta.url);

export interface EquityCsvWriter {
  /** Starts writing the curve to the file (once; later calls are ignored). */
  write(ts: Float64Array, equity: Float64Array): void;
  /** Settles when the file is written (rejects with the write's error); only after `write`. */
  readonly written: Promise<void>;
  /** Ends the Worker: after `written` settled, or when the run failed and nothing is to be written. */
  close(): void;
}

/** `worker` is the Worker's module (tests give one that fails to load, to see the file written here instead). */
export function startEquityCsv(path: string, worker: URL = WORKER): EquityCsvWriter {
  let settle!: { resolve: () => void; reject: (err: Error) => void };
  const written = new Promise<void>((resolve, reject) => settle = { resolve, reject });
  // A run that fails after `write` never awaits it: its rejection must not end the process.
  written.catch(() => {});
  let curve: { ts: Float64Array; equity: Float64Array } | undefined;
  let ready = false;
  let done = false;
  let thread: Worker | undefined;

  const finish = (err?: Error) => {
    if (done) return;
    done = true;
    thread?.terminate();
    thread = undefined;
    if (err) settle.reject(err);
    else settle.resolve();
  };
  const inline = () => {
    thread?.terminate();
    thread = undefined;
    if (!curve) return;
    const { ts, equity } = curve;
    Deno.mkdir(dirname(path), { recursive: true })
      .then(() => writeEquityCsv(path, ts, equity, drawdownSeries(equity)))
      .then(() => finish(), (err) => finish(err instanceof Error ? err : new Error(String(err))));
  };
  const send = () => {
    const { ts, equity } = curve!;
    thread!.postMessage({ type: "write", path, ts, equity } satisfies ToEquityWorker);
  };

  try {
    thread = new Worker(worker, { type: "module" });
    thread.onmessage = (e: MessageEvent<FromEquityWorker>) => {
      const msg = e.data;
      switch (msg.type) {
        case "ready":
          ready = true;
          if (curve) send();
          return;
        case "written":
          finish();
          return;
        case "failed":
          finish(rebuild(msg.name, msg.message));
          return;
      }
    };
    thread.onerror = (e: ErrorEvent) => {
      // Without preventDefault a Worker's uncaught error ends the process; here it only costs the second thread.
      e.preventDefault();
      if (!done) inline();
    };
  } catch {
    thread = undefined;
  }

  return {
    write(ts, equity) {
      if (curve || done) return;
      curve = { ts, equity };
      if (!thread) inline();
      else if (ready) send();
    },
    written,
    close() {
      if (!curve) finish();
      else if (!done) return; // still writing: `written` settles, then the Worker ends
      thread?.terminate();
      thread = undefined;
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
