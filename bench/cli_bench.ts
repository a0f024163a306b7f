/**
 * The whole `deno task backtest` command on a generated CSV of 1M bars (bench/gen_bars.ts): parse, run, report.
 * Bars/s end to end (wall time of the child process) and the child's max RSS, plus the report files' sizes.
 * Max RSS comes from `/usr/bin/time` when present, else from polling the child's VmHWM in /proc.
 */
import { writeBarsCsv } from "./gen_bars.ts";
import { type BenchRow, printRow } from "./row.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const TIME = "/usr/bin/time";

export interface CliRun {
  readonly wallMs: number;
  readonly maxRssBytes: number;
  readonly files: Readonly<Record<string, number>>;
}

/** The V8 flags the `backtest` task runs with (deno.json), so the bench measures what a user's command does. */
export function backtestTaskFlags(): string[] {
  const denoJson = JSON.parse(Deno.readTextFileSync(new URL("../deno.json", import.meta.url)));
  return String(denoJson.tasks.backtest).split(/\s+/).filter((arg) => arg.startsWith("--v8-flags="));
}

/**
 * Runs `deno task backtest --data csv --out dir` (as `deno run`) once, with `strategies` SMA crosses (several: a
 * portfolio, one account); throws with its stderr when it fails.
 */
export async function runCli(csv: string, out: string, strategies = 1): Promise<CliRun> {
  const portfolio = strategies > 1 ? Array.from({ length: strategies }, (_, i) => `--strategy=s${i}=sma_cross`) : [];
  const args = ["run", "-A", ...backtestTaskFlags(), MAIN, "backtest", ...portfolio, "--data", csv, "--out", out];
  const viaTime = await exists(TIME);
  const cmd = viaTime
    ? new Deno.Command(TIME, {
      args: ["-f", "MAXRSS_KB=%M", Deno.execPath(), ...args],
      stdout: "null",
      stderr: "piped",
    })
    : new Deno.Command(Deno.execPath(), { args, stdout: "null", stderr: "piped" });
  const t0 = performance.now();
  const child = cmd.spawn();
  let polled = 0;
  const poll = viaTime ? undefined : setInterval(() => polled = Math.max(polled, vmHwm(child.pid)), 20);
  const { success, stderr } = await child.output();
  const wallMs = performance.now() - t0;
  if (poll !== undefined) clearInterval(poll);
  const err = new TextDecoder().decode(stderr);
  if (!success) throw new Error(`backtest command failed: ${err}`);
  const kb = viaTime ? Number(/MAXRSS_KB=(\d+)/.exec(err)?.[1]) : polled / 1024;
  const files: Record<string, number> = {};
  for await (const e of Deno.readDir(out)) if (e.isFile) files[e.name] = (await Deno.stat(`${out}/${e.name}`)).size;
  return { wallMs, maxRssBytes: kb * 1024, files };
}

function vmHwm(pid: number): number {
  try {
    const kb = /VmHWM:\s+(\d+) kB/.exec(Deno.readTextFileSync(`/proc/${pid}/status`))?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0; // the child has exited between polls
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * `backtest_cli_<bars>` for each strategy count: one strategy, and with several (`_N_strategies`) a portfolio of that
 * many SMA crosses on the same bars, whose report adds each one's statistics and files.
 */
export async function cliBench(
  emit: (row: BenchRow) => void,
  bars = 1_000_000,
  strategyCounts: readonly number[] = [1],
): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "cli_bench_" });
  try {
    const csv = `${dir}/bars.csv`;
    await writeBarsCsv(csv, bars);
    for (const strategies of strategyCounts) await cliRow(emit, csv, `${dir}/out${strategies}`, bars, strategies);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function cliRow(emit: (row: BenchRow) => void, csv: string, out: string, bars: number, strategies: number) {
  const run = await runCli(csv, out, strategies);
  const label = bars % 1_000_000 === 0 ? `${bars / 1_000_000}M` : `${bars / 1000}k`;
  emit({
    bench: `backtest_cli_${label}${strategies > 1 ? `_${strategies}_strategies` : ""}`,
    unit: "bars/s",
    value: Math.round(bars / (run.wallMs / 1000)),
    bars,
    ...(strategies > 1 ? { strategies } : {}),
    wallMs: Math.round(run.wallMs),
    maxRssMB: Math.round(run.maxRssBytes / 2 ** 20),
    reportHtmlMB: +((run.files["report.html"] ?? 0) / 2 ** 20).toFixed(2),
    equityCsvMB: +((run.files["equity.csv"] ?? 0) / 2 ** 20).toFixed(2),
    tradesCsvMB: +((run.files["trades.csv"] ?? 0) / 2 ** 20).toFixed(2),
    loadAvg: Deno.loadavg()[0],
  });
}

if (import.meta.main) {
  // Optional bar counts (e.g. `100000 1000000`) for the memory curve, one strategy each; by default 1M bars with one
  // strategy and with a portfolio of ten.
  if (Deno.args.length > 0) {
    for (const n of Deno.args.map((a) => Number(a.replaceAll("_", "")))) await cliBench(printRow, n);
  } else await cliBench(printRow, 1_000_000, [1, 10]);
}
