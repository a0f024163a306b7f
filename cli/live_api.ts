/** What the command line gives the daemon that actors/ may not import itself: the backtest jobs (backtest/jobs/). */
import { resolve } from "node:path";
import type { BacktestContext } from "../actors/system/daemon.ts";
import { createBacktestJobs } from "../backtest/jobs/service.ts";

export function backtestJobs({ database, config, log }: BacktestContext) {
  return createBacktestJobs({
    database,
    dataDirs: config.api.dataDirs,
    ...(config.api.strategiesDir ? { strategiesDir: config.api.strategiesDir } : {}),
    outRoot: resolve(config.dataDir, "backtests"),
    workers: config.api.backtest.workers,
    queue: config.api.backtest.queue,
    log,
  });
}
