/**
 * Output fit for pipes and logs, for every command: no colour unless a person is at a terminal (and NO_COLOR is
 * unset), `--json` wherever a table is printed, and TRADEACTOR_LOG's level for the JSON log lines on stderr.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;
const ESC = "\x1b[";

/** Runs `main.ts` with exactly the given environment (plus what Deno needs to find its cache). */
async function run(args: string[], env: Record<string, string> = {}) {
  const keep = ["HOME", "PATH", "DENO_DIR", "XDG_CACHE_HOME"].flatMap((k) => {
    const v = Deno.env.get(k);
    return v === undefined ? [] : [[k, v]];
  });
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: ROOT,
    clearEnv: true,
    env: { ...Object.fromEntries(keep), ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const logLines = (stderr: string) =>
  stderr.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { level: string; msg: string });

Deno.test("output: piped, the backtest table has no colour even with NO_COLOR unset; on a terminal it has", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const piped = await run(["backtest", "--out", dir]);
    assert.equal(piped.code, 0, piped.stderr);
    assert.match(piped.stdout, /Sharpe Ratio/);
    assert.ok(!piped.stdout.includes(ESC), "no ANSI codes in a pipe");
    assert.ok(!piped.stderr.includes(ESC));
    // A pseudo-terminal (util-linux `script`) stands in for a person, where the machine has one.
    const script = await new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" })
      .output().then((o) => o.success, () => false);
    if (!script) {
      console.log("skipped the terminal half: util-linux script is not installed");
      return;
    }
    const command = `${Deno.execPath()} run -A main.ts backtest --out ${dir}`;
    const tty = async (env: Record<string, string>) => {
      const o = await new Deno.Command("script", {
        args: ["-qec", command, "/dev/null"],
        cwd: ROOT,
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      return new TextDecoder().decode(o.stdout);
    };
    const shown = await tty({ NO_COLOR: "" });
    assert.ok(shown.includes("\x1b[31m"), "negative figures in red on a terminal");
    // NO_COLOR (any non-empty value) wins, even on a terminal.
    assert.ok(!(await tty({ NO_COLOR: "1" })).includes("\x1b[31m"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("output: TRADEACTOR_LOG sets the level of the JSON log lines on stderr, in every command", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const quiet = await run(["backtest", "--out", dir]);
    assert.deepEqual(logLines(quiet.stderr), [], "default: warn, and a clean run has nothing to warn about");
    const debug = await run(["backtest", "--out", dir], { TRADEACTOR_LOG: "debug" });
    const levels = new Set(logLines(debug.stderr).map((l) => l.level));
    assert.ok(levels.has("debug") && levels.has("info"), debug.stderr);
    const info = await run(["backtest", "--out", dir], { TRADEACTOR_LOG: "info" });
    assert.ok(logLines(info.stderr).length > 0 && logLines(info.stderr).every((l) => l.level !== "debug"));
    const data = await run(["data", "list", "--data-dir", join(dir, "db")], { TRADEACTOR_LOG: "debug" });
    assert.equal(data.code, 0, data.stderr);
    assert.ok(logLines(data.stderr).some((l) => l.msg === "database open"));
    const opt = await run(["optimize", "--param", "fast=5,10", "--workers", "0"], { TRADEACTOR_LOG: "info" });
    assert.ok(logLines(opt.stderr).some((l) => l.msg === "optimisation done"), opt.stderr);
    const bad = await run(["backtest", "--out", dir], { TRADEACTOR_LOG: "verbose" });
    const warned = logLines(bad.stderr).map((l) => l.msg);
    assert.ok(warned.some((m) => /TRADEACTOR_LOG="verbose" is not a level \(debug, info, warn, error\)/.test(m)));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("output: --json wherever a table is printed (backtest, optimize, data check, data list)", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const backtest = await run(["backtest", "--out", dir, "--json"]);
    assert.equal(JSON.parse(backtest.stdout).tradeCount, 65);
    const opt = await run(["optimize", "--param", "fast=5,10", "--param", "slow=30,60", "--workers", "0", "--json"]);
    const results = JSON.parse(opt.stdout);
    assert.equal(results.strategy, "sma_cross");
    assert.equal(results.rows.length, 4);
    const db = join(dir, "db");
    const imported = await run(["data", "import", "examples/data/GOOG.csv", "--data-dir", db]);
    assert.equal(imported.code, 0, imported.stderr);
    const list = JSON.parse((await run(["data", "list", "--data-dir", db, "--json"])).stdout);
    assert.deepEqual(list.series.map((s: { symbol: string; count: number }) => [s.symbol, s.count]), [["GOOG", 2148]]);
    const check = await run(["data", "check", "--data-dir", db, "--json"]);
    const reports = JSON.parse(check.stdout);
    assert.equal(reports.length, 1);
    assert.equal(reports[0].count, 2148);
    assert.equal(check.code, reports[0].problems > 0 ? 1 : 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
