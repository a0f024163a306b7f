/**
 * Peers side by side on one generated CSV (bench/gen_bars.ts): this project's `backtest` command, backtesting.py 0.6.6
 * and backtrader 1.9.78, each running the SMA 10/30 reversal with no costs. Prints one JSON line per contender
 * (bench/row.ts) and a Markdown table. Not part of CI or `deno task bench`: it installs the peers from PyPI into a
 * venv (default .tools/peers-venv) the first time.
 *
 *   deno run -A bench/peers/main.ts [--bars 1000000] [--backtrader-bars 100000] [--venv .tools/peers-venv]
 *
 * backtrader runs ~100x slower, so it gets the first `--backtrader-bars` bars, and this project runs those too.
 */
import { parseArgs } from "node:util";
import { writeBarsCsv } from "../gen_bars.ts";
import { type BenchRow, printRow } from "../row.ts";
import { backtestTaskFlags } from "../cli_bench.ts";

const HERE = new URL(".", import.meta.url).pathname;
const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const PEERS = ["backtesting==0.6.6", "backtrader==1.9.78.123"];

interface Result {
  readonly contender: string;
  readonly bars: number;
  readonly engineSeconds: number;
  readonly wholeSeconds: number;
  readonly trades: number;
  readonly maxRssMB: number;
}

async function run(cmd: string, args: string[], what: string): Promise<string> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout);
  if (!out.success) throw new Error(`${what} failed:\n${new TextDecoder().decode(out.stderr).slice(-4_000)}`);
  return text;
}

async function ensureVenv(venv: string): Promise<string> {
  const python = `${venv}/bin/python`;
  let ok = false;
  try {
    ok = (await new Deno.Command(python, { args: ["-c", "import backtesting, backtrader"], stderr: "null" }).output())
      .success;
  } catch {
    ok = false; // no venv yet
  }
  if (ok) return python;
  console.error(`installing ${PEERS.join(" ")} into ${venv} (PyPI)`);
  await run("python3", ["-m", "venv", venv], "python3 -m venv");
  await run(`${venv}/bin/pip`, ["install", "--quiet", "--disable-pip-version-check", ...PEERS], "pip install");
  return python;
}

/** This project's whole command under /usr/bin/time: its own engine time from its summary line, wall, max RSS. */
async function ours(csv: string, out: string, bars: number): Promise<Result> {
  const t0 = performance.now();
  const output = await new Deno.Command("/usr/bin/time", {
    args: [
      "-f",
      "MAXRSS_KB=%M",
      Deno.execPath(),
      "run",
      "-A",
      ...backtestTaskFlags(),
      MAIN,
      "backtest",
      "--data",
      csv,
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const whole = (performance.now() - t0) / 1000;
  const stdout = new TextDecoder().decode(output.stdout);
  const stderr = new TextDecoder().decode(output.stderr);
  if (!output.success) throw new Error(`backtest failed: ${stderr.slice(-4_000)}`);
  const ms = Number(/bars in ([\d.]+) ms/.exec(stdout)?.[1]);
  const report = JSON.parse(await Deno.readTextFile(`${out}/report.json`)) as { tradeCount: number };
  return {
    contender: "tradeactor",
    bars,
    engineSeconds: ms / 1000,
    wholeSeconds: whole,
    trades: report.tradeCount,
    maxRssMB: Number(/MAXRSS_KB=(\d+)/.exec(stderr)?.[1]) / 1024,
  };
}

async function peer(python: string, script: string, args: string[]): Promise<Result> {
  const line = (await run(python, [`${HERE}${script}`, ...args], script)).trim().split("\n").pop()!;
  const r = JSON.parse(line) as Omit<Result, "contender"> & { peer: string };
  return { ...r, contender: r.peer };
}

async function firstRows(csv: string, out: string, rows: number): Promise<void> {
  const text = await Deno.readTextFile(csv);
  let end = 0;
  for (let i = 0; i <= rows && end >= 0; i++) end = text.indexOf("\n", end) + 1;
  await Deno.writeTextFile(out, text.slice(0, end));
}

const row = (r: Result): BenchRow => ({
  bench: `peers_${r.contender.replace(/\W/g, "_")}_${r.bars}`,
  unit: "bars/s",
  value: Math.round(r.bars / r.wholeSeconds),
  engineBarsPerSec: Math.round(r.bars / r.engineSeconds),
  trades: r.trades,
  maxRssMB: Math.round(r.maxRssMB),
  loadAvg: Deno.loadavg()[0],
});

if (import.meta.main) {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      bars: { type: "string", default: "1000000" },
      "backtrader-bars": { type: "string", default: "100000" },
      venv: { type: "string", default: ".tools/peers-venv" },
    },
  });
  const bars = Number(values.bars.replaceAll("_", ""));
  const small = Math.min(bars, Number(values["backtrader-bars"].replaceAll("_", "")));
  const python = await ensureVenv(values.venv);
  const dir = await Deno.makeTempDir({ prefix: "peers_" });
  try {
    const csv = `${dir}/bars.csv`;
    const smallCsv = `${dir}/bars_small.csv`;
    await writeBarsCsv(csv, bars);
    await firstRows(csv, smallCsv, small);
    const results: Result[] = [
      await ours(csv, `${dir}/out`, bars),
      await peer(python, "backtesting_py_run.py", [csv]),
      await ours(smallCsv, `${dir}/out_small`, small),
      await peer(python, "backtrader_run.py", [smallCsv, String(small)]),
    ];
    for (const r of results) printRow(row(r));
    const fmt = (n: number) => Math.round(n).toLocaleString("en");
    console.log(`\n| contender | bars | bars/s, engine | bars/s, whole command | trades | max RSS |`);
    console.log(`|---|---|---|---|---|---|`);
    for (const r of results) {
      console.log(
        `| ${r.contender} | ${fmt(r.bars)} | ${fmt(r.bars / r.engineSeconds)} | ${fmt(r.bars / r.wholeSeconds)} | ` +
          `${fmt(r.trades)} | ${fmt(r.maxRssMB)} MB |`,
      );
    }
    console.log(`\n${Deno.build.target}, ${navigator.hardwareConcurrency} cores, load ${Deno.loadavg()[0].toFixed(2)}`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
