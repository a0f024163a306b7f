/** The `backtest` command as a user runs it: a subprocess, its exit code, its output and its files. */
import assert from "node:assert/strict";

const MAIN = new URL("../../main.ts", import.meta.url).pathname;
const GOOG = new URL("../../examples/data/GOOG.csv", import.meta.url).pathname;

async function backtest(args: string[]) {
  const out = await Deno.makeTempDir();
  const result = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, "backtest", "--out", out, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const files = [...Deno.readDirSync(out)].map((e) => e.name).sort();
  const report = files.includes("report.json") ? JSON.parse(await Deno.readTextFile(`${out}/report.json`)) : undefined;
  const trades = files.includes("trades.csv") ? await Deno.readTextFile(`${out}/trades.csv`) : "";
  await Deno.remove(out, { recursive: true });
  return {
    code: result.code,
    stdout: new TextDecoder().decode(result.stdout),
    stderr: new TextDecoder().decode(result.stderr),
    files,
    report,
    trades,
  };
}

Deno.test("backtest CLI: the default run writes the table and every report file", async () => {
  const r = await backtest([]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Sharpe Ratio/);
  assert.match(r.stdout, /# Trades\s+65/);
  assert.deepEqual(r.files, ["equity.csv", "report.html", "report.json", "trades.csv"]);
  assert.equal(r.report.tradeCount, 65);
});

Deno.test("backtest CLI: corrupt data gives a located error, a non-zero exit and no report", async () => {
  const dir = await Deno.makeTempDir();
  const text = (await Deno.readTextFile(GOOG)).split("\n");
  text[12] = text[12].replace(/^([^,]*),([^,]*),([^,]*),/, "$1,$2,1.5,"); // high far below low
  await Deno.writeTextFile(`${dir}/BAD.csv`, text.join("\n"));
  const r = await backtest(["--data", `${dir}/BAD.csv`]);
  await Deno.remove(dir, { recursive: true });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /BAD\.csv line 13, column "High": high 1\.5 is below low/);
  assert.deepEqual(r.files, []);
});

Deno.test("backtest CLI: bad parameters are refused before any run, naming the parameter and its range", async () => {
  const outside = await backtest(["--param", "fast=0"]);
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /parameter "fast" must be an integer in \[1, 1000\], got 0/);
  const order = await backtest(["--param", "fast=40", "--param", "slow=20"]);
  assert.match(order.stderr, /parameter "fast" must be below slow/);
  const unknown = await backtest(["--param", "fats=5"]);
  assert.match(unknown.stderr, /"fats" is not a parameter of this strategy \(parameters: fast, slow/);
  const type = await backtest(["--param", "average=wma"]);
  assert.match(type.stderr, /"average" must be one of "sma", "ema", got "wma"/);
  assert.deepEqual([outside.files, order.files, unknown.files, type.files], [[], [], [], []]);
});

Deno.test("backtest CLI: unknown strategy, missing file and bad flag values exit non-zero with a reason", async () => {
  const strategy = await backtest(["--strategy", "nope"]);
  assert.equal(strategy.code, 2);
  assert.match(strategy.stderr, /Unknown strategy "nope": not a built-in \(sma_cross, mean_reversion, momentum\)/);
  const missing = await backtest(["--data", "/nonexistent/x.csv"]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /--data: cannot read \/nonexistent\/x\.csv: no such file/);
  const cash = await backtest(["--cash=-5"]);
  assert.equal(cash.code, 2);
  assert.match(cash.stderr, /--cash must be a positive number, got "-5"/);
});

Deno.test("backtest CLI: --close-at-end closes the open trade on the last bar (at its open, as backtesting.py)", async () => {
  const plain = await backtest(["--json"]);
  const closed = await backtest(["--json", "--close-at-end"]);
  assert.equal(closed.report.tradeCount, plain.report.tradeCount + 1);
  assert.notEqual(closed.report.equityFinal, plain.report.equityFinal);
  assert.equal(closed.report.exposureTimePct > 0, true);
  // Where the close fills, as the help says: the last bar's open (797.8), or its close (806.19) with --fill close.
  const exitPrice = (csv: string) => {
    const [head, ...rows] = csv.trim().split("\n");
    return Number(rows[rows.length - 1].split(",")[head.split(",").indexOf("exitPrice")]);
  };
  assert.equal(exitPrice(closed.trades), 797.8);
  const atClose = await backtest(["--json", "--close-at-end", "--fill", "close"]);
  assert.equal(exitPrice(atClose.trades), 806.19);
});

Deno.test("backtest CLI: edge cases of the command line are named with their value, without stack traces", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string[], number, RegExp][] = [
      [["--param", "fast=abc"], 2, /parameter "fast" must be an integer in \[1, 1000\], got "abc"/],
      [["--cash", "-5"], 2, /--cash must be a positive number, got "-5"/],
      [["--param", "fast=5", "--param", "fast=6"], 2, /--param fast is given twice \("5" and "6"\)/],
      [["--cash", "5", "--cash", "6"], 2, /--cash is given 2 times; give it once/],
      [["--nope"], 2, /Unknown option '--nope'/],
      [["--max-price", "100"], 1, /GOOG\.csv line \d+, column "High": high [\d.]+ is above the price limit 100/],
    ];
    await Deno.writeTextFile(`${dir}/file`, "not a directory");
    for (const [args, code, message] of cases) {
      const r = await backtest(args);
      assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /^\s+at /m, "no stack trace");
      assert.deepEqual(r.files, []);
    }
    // A report folder that cannot be made: said with the path and the reason, exit 1.
    const blocked = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", MAIN, "backtest", "--out", `${dir}/file/x`],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(blocked.stderr);
    assert.equal(blocked.code, 1, stderr);
    assert.match(stderr, /--out: cannot write the report to .*file\/x: Not a directory/);
    assert.doesNotMatch(stderr, /^\s+at /m, "no stack trace");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("backtest CLI: the bundled US sample has no gap by the NYSE calendar; --calendar judges by another", async () => {
  const inferred = await backtest([]);
  assert.equal(inferred.code, 0, inferred.stderr);
  assert.doesNotMatch(inferred.stderr, /gaps/, "holidays and closures are not missing bars");
  const sessions = await backtest(["--calendar", "sessions"]);
  assert.match(sessions.stderr, /GOOG\.csv: 2 gaps, 4 missing bars by the sessions calendar/);
  const crypto = await backtest(["--calendar", "GOOG=24x7"]);
  assert.match(crypto.stderr, /GOOG\.csv: \d{3} gaps, \d{3} missing bars by the 24x7 calendar/);
  const other = await backtest(["--calendar", "BTC=24x7"]); // another symbol's: GOOG's is still inferred
  assert.doesNotMatch(other.stderr, /gaps/);
  const bad = await backtest(["--calendar", "lse"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--calendar lse: "lse" is not a calendar \(24x7, nyse, sessions\)/);
});

Deno.test("backtest CLI: --commission and --commission-fixed are both charged; --spread-mode is checked", async () => {
  const [percent, fixed, both] = await Promise.all([
    backtest(["--json", "--commission", "0.002"]),
    backtest(["--json", "--commission-fixed", "5"]),
    backtest(["--json", "--commission", "0.002", "--commission-fixed", "5"]),
  ]);
  for (const r of [percent, fixed, both]) assert.equal(r.code, 0, r.stderr);
  // Was: with both flags the percentage was dropped and the run equalled the fixed-only one.
  assert.ok(both.report.equityFinal < percent.report.equityFinal, "the fixed fee is charged too");
  assert.ok(both.report.equityFinal < fixed.report.equityFinal, "the percentage is charged too");
  const perUnit = await backtest([
    "--json",
    "--commission",
    "0.002",
    "--commission-fixed",
    "5",
    "--commission-per-unit",
    "0.1",
  ]);
  assert.equal(perUnit.code, 0, perUnit.stderr);
  assert.ok(perUnit.report.equityFinal < both.report.equityFinal, "the per-unit fee is charged on top");
  const mode = await backtest(["--spread", "0.001", "--spread-mode", "exit"]);
  assert.equal(mode.code, 2);
  assert.match(mode.stderr, /--spread-mode must be both or entry, got "exit"/);
  const two = await backtest(["--spread", "0.001", "--slippage-bps", "3"]);
  assert.equal(two.code, 2);
  assert.match(two.stderr, /--slippage-bps and --spread are two slippage models; give one/);
  const [entry, half] = await Promise.all([
    backtest(["--json", "--spread", "0.002", "--spread-mode", "entry"]),
    backtest(["--json", "--spread", "0.002"]),
  ]);
  assert.equal(entry.code, 0, entry.stderr);
  assert.notEqual(entry.report.equityFinal, half.report.equityFinal);
});

Deno.test("backtest CLI: --risk FILE and --risk-limit/--strategy-limit bind, checked by the live config's rules", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = `${dir}/risk.json`;
    await Deno.writeTextFile(file, JSON.stringify({ risk: { maxPositionQty: 5 }, limits: { maxLoss: 100_000 } }));
    const [free, capped, flag] = await Promise.all([
      backtest(["--json"]),
      backtest(["--json", "--risk", file]),
      backtest(["--json", "--risk-limit", "maxPositionQty=3"]),
    ]);
    for (const r of [free, capped, flag]) assert.equal(r.code, 0, r.stderr);
    const sizes = (csv: string) => csv.trim().split("\n").slice(1).map((row) => Math.abs(Number(row.split(",")[2])));
    assert.ok(Math.max(...sizes(free.trades)) > 5, "without limits the sizes are larger");
    assert.ok(sizes(capped.trades).length > 0 && Math.max(...sizes(capped.trades)) <= 5);
    assert.ok(sizes(flag.trades).length > 0 && Math.max(...sizes(flag.trades)) <= 3);
    // The backtest's --config file may hold the limits themselves under "risk".
    await Deno.writeTextFile(`${dir}/config.json`, JSON.stringify({ risk: { risk: { maxPositionQty: 4 } } }));
    const inline = await backtest(["--json", "--config", `${dir}/config.json`]);
    assert.equal(inline.code, 0, inline.stderr);
    assert.ok(sizes(inline.trades).length > 0 && Math.max(...sizes(inline.trades)) <= 4);
    await Deno.writeTextFile(file, JSON.stringify({ risk: { maxDrawdown: 1.5, maxPos: 1 }, limits: { maxLoss: 0 } }));
    const bad = await backtest(["--risk", file]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--risk .*risk\.json: risk\.maxDrawdown: must be .*got 1\.5/);
    assert.match(bad.stderr, /risk\.maxPos: unknown field \(known: maxPositionQty, /);
    assert.match(bad.stderr, /limits\.maxLoss: must be .*got 0/);
    const badFlag = await backtest(["--strategy-limit", "maxOpenOrders=x"]);
    assert.equal(badFlag.code, 2);
    assert.match(badFlag.stderr, /--strategy-limit maxOpenOrders: must be .*got "x"/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
