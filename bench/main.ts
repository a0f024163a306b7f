/** `deno task bench [NAME...]`: the named benchmarks (default: all), one JSON object per line (bench/row.ts). */
import { parseArgs } from "node:util";
import { printRow } from "./row.ts";

/** In-process groups run here; the others in a child process each, so one's memory and JIT state spare the next. */
const GROUPS: Readonly<Record<string, string | (() => Promise<void>)>> = {
  runtime: async () => await (await import("./runtime_bench.ts")).runtimeBench(printRow),
  backtest: async () => await (await import("./backtest_bench.ts")).backtestBench(printRow),
  data: "./data_bench.ts",
  indicators: "./indicators_bench.ts",
  storage: "./storage_bench.ts",
  optimize: "./optimize_bench.ts",
  live: "./live_bench.ts",
  paper_long: "./paper_long_bench.ts",
  api: "./api_bench.ts",
  cli: "./cli_bench.ts",
  // The bench's cliBench spawns the command itself: nothing of it stays in this process.
  cli_10m: async () => await (await import("./cli_bench.ts")).cliBench(printRow, 10_000_000),
  report: "./report_bench.ts",
  memory: "./worker_rss_bench.ts",
  ib: "./ib_bench.ts",
  redis: "./redis_bench.ts",
};

/** Groups that run only when named: too slow for the default run. */
const OPT_IN: ReadonlySet<string> = new Set(["cli_10m"]);

const HELP = `Usage: deno task bench [NAME...] [-h, --help]

Runs the named benchmark groups (default: all but cli_10m, in this order) and prints one JSON object per line on stdout:
  {"bench": "backtest_sma_cross_1x1", "unit": "bars/s", "value": 1234567, ...details}

  runtime     actor messages/s in-process and across Workers, one-hop latency, crash-to-serving time
  backtest    bars/s through the full actor path (1 strategy; 10 on 10 symbols; 10 on the same bars), and a bare loop
  data        CSV parsing rows/s
  indicators  incremental updates/s of every indicator
  storage     journal appends/s (SQLite, PostgreSQL and Redis when reachable), candle upserts/s
  optimize    grid combinations/s with 1 and 2 Workers (whole search, warm pool), 2-vs-1 ratios
  live        bar-to-order latency through the live Worker tree, paper-daemon replay bars/s
  paper_long  a long paper run (10 strategies, 60,000 replayed bars): bars/s, CPU per bar, RSS at start and end
  api         GET /api/v1/positions latency (p50/p99) under 100 concurrent clients while a replay runs
  cli         the whole backtest command on a generated 1M-bar CSV, one strategy and a portfolio of ten: bars/s
              end to end, max RSS, report sizes
  cli_10m     the same on 10M bars (backtest_cli_10M; a few minutes, ~650 MB of CSV in a temp dir; only when named)
  report      CPU ms of computeStats and of writeReport (all four files) for a 1M-bar SMA-cross run
  memory      paper-daemon peak RSS with 1, 10 and 50 strategies (one Worker each) over a 2,000-bar replay
  ib          order round trips (p50/p99) and reconnect-to-reconciled time through the fake TWS
  redis       the remote host's Redis hop: bar-to-order latency p50/p99 with the strategy remote, messages/s

Figures come from one run on this machine. Exit codes: 0 ok, 1 a benchmark failed, 2 bad usage.`;

export async function runBench(args: string[]): Promise<number> {
  let names: string[];
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { help: { type: "boolean", short: "h" } },
      allowPositionals: true,
    });
    if (values.help) {
      console.log(HELP);
      return 0;
    }
    names = positionals;
  } catch (err) {
    console.error(`bench: ${(err as Error).message}\nRun "deno task bench --help" for the names.`);
    return 2;
  }
  const unknown = names.filter((n) => !(n in GROUPS));
  if (unknown.length > 0) {
    const list = unknown.map((n) => `"${n}"`).join(", ");
    console.error(`bench: unknown benchmark ${list}; the names are ${Object.keys(GROUPS).join(", ")}`);
    return 2;
  }
  let failed = 0;
  for (const [name, run] of Object.entries(GROUPS)) {
    if (names.length > 0 ? !names.includes(name) : OPT_IN.has(name)) continue;
    if (typeof run === "function") {
      try {
        await run();
      } catch (err) {
        failed++;
        console.error(`bench: ${name} failed: ${(err as Error)?.stack ?? err}`);
      }
      continue;
    }
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL(run, import.meta.url).pathname],
      stdout: "inherit",
      stderr: "inherit",
    });
    const status = await child.output();
    if (!status.success) {
      failed++;
      console.error(`bench: ${name} failed with exit code ${status.code}`);
    }
  }
  return failed > 0 ? 1 : 0;
}

if (import.meta.main) Deno.exit(await runBench(Deno.args));
