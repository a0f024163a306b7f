/**
 * `deno task optimize` end to end: bad parameters are refused before anything runs (exit 2, a message naming
 * the parameter and its range), a good run writes the table, CSV, JSON and a self-contained heatmap.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { join } from "node:path";

const ROOT = fromFileUrl(new URL("../../../", import.meta.url));
const GOOG = fromFileUrl(new URL("../../../../shared/data/backtesting_py/GOOG.csv", import.meta.url));

async function cli(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "cli/optimize.ts", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const base = ["--strategy", "sma_cross", "--data", `GOOG=${GOOG}`, "--workers", "1"];

Deno.test("cli: bad parameters are refused before any run, naming the parameter and the allowed range", async () => {
  const cases: [string[], RegExp][] = [
    [["--param", "fast=0..20:5"], /parameter "fast" must be an integer in \[1, 1000\], got 0/],
    [["--param", "fast=5.5"], /parameter "fast" must be an integer in \[1, 1000\], got 5.5/],
    [["--param", "fast=ten"], /parameter "fast" must be an integer in \[1, 1000\], got "ten"/],
    [["--param", "average=sma,hma"], /parameter "average" must be one of "sma", "ema", got "hma"/],
    [["--param", "fast=40", "--param", "slow=20"], /fast must be below slow \(fast 40 ≥ slow 20\)/],
    [["--param", "fastt=5,10"], /parameter "fastt" is not a parameter of this strategy/],
    [["--objective", "sharpe"], /unknown objective "sharpe"/],
    [["--method", "genetic"], /--method must be grid or random/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(...base, ...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.doesNotMatch(r.stderr, /search: \d/, "nothing ran");
    assert.equal(r.stdout, "");
  }
  const unknown = await cli("--strategy", "smacross", "--data", GOOG);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /Unknown strategy "smacross".*sma_cross, mean_reversion, momentum/);
});

Deno.test("cli: --help, and a grid run that writes results and a heatmap", async () => {
  const help = await cli("--help");
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--walk-forward/);

  const dir = await Deno.makeTempDir();
  try {
    const r = await cli(...base, "--param", "fast=5..15:5", "--param", "slow=10..30:10", "--out", dir, "--top", "3");
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /sma_cross: 7 combinations, 2 skipped by the constraint/);
    assert.equal(r.stdout.trim().split("\n").length, 1 + 1 + 3, "summary, header, 3 rows");
    assert.match(r.stderr, /search: 7\/7 \(100%\)/);
    const csv = (await Deno.readTextFile(join(dir, "results.csv"))).trim().split("\n");
    assert.equal(csv.length, 8);
    assert.match(csv[0], /^rank,fast,slow,objective,start,/);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "results.json")));
    assert.equal(json.skipped, 2);
    assert.equal(json.rows.length, 7);
    assert.equal(json.rows[0].objective, json.rows[0].report.sharpeRatio);
    const html = await Deno.readTextFile(join(dir, "heatmap.html"));
    assert.doesNotMatch(html, /<script|src=|href=/, "self-contained");
    assert.equal((html.match(/<td style="background/g) ?? []).length, 7);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: walk-forward prints folds and stitched out-of-sample statistics", async () => {
  const r = await cli(
    ...base,
    "--param",
    "fast=5,10",
    "--param",
    "slow=30,60",
    "--walk-forward",
    "--is-bars",
    "1000",
    "--folds",
    "2",
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Walk-forward \(rolling, IS 1000 bars, OOS 574 bars\)/);
  assert.match(r.stdout, /Stitched out-of-sample statistics:\nStart\s+2008-/);
  assert.match(r.stderr, /walk-forward fold 2\/2/);
  const late = await cli(...base, "--param", "fast=5,10", "--walk-forward", "--is-bars", "5000");
  assert.equal(late.code, 2);
  assert.match(late.stderr, /needs more than isBars \(5000\) bars; the data has 2148/);
});

Deno.test("cli: with no --strategy and no --data it searches sma_cross over the bundled sample, as backtest does", async () => {
  const grid = ["--param", "fast=5,10", "--param", "slow=30,60", "--workers", "1"];
  const implicit = await cli(...grid);
  assert.equal(implicit.code, 0, implicit.stderr);
  const explicit = await cli("--strategy", "sma_cross", "--data", "examples/data/GOOG.csv", ...grid);
  assert.equal(explicit.code, 0, explicit.stderr);
  const untimed = (text: string) => text.replace(/; [\d.]+ s$/m, "");
  assert.match(implicit.stdout, /^sma_cross: 4 combinations; grid;/);
  assert.equal(untimed(implicit.stdout), untimed(explicit.stdout));
});

Deno.test("cli: a parameter given twice and a negative number are refused with their values", async () => {
  const twice = await cli(...base, "--param", "fast=5,10", "--param", "fast=20");
  assert.equal(twice.code, 2);
  assert.match(twice.stderr, /--param fast is given twice \("5,10" and "20"\)/);
  const cash = await cli(...base, "--param", "fast=5,10", "--cash", "-5");
  assert.equal(cash.code, 2);
  assert.match(cash.stderr, /--cash must be a positive number, got "-5"/);
});

Deno.test("cli: the backtest's run options work in optimize; a failed run is listed and the search goes on", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const args = [...base, "--param", "fast=10", "--param", "slow=20,30", "--json"];
    const plain = await cli(...args);
    const opts = await cli(
      ...args,
      ...["--spread", "0.001", "--spread-mode", "entry", "--commission-fixed", "1", "--close-at-end"],
      ...["--risk-limit", "maxPositionQty=3", "--strategy-limit", "maxLoss=5000"],
    );
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(opts.code, 0, opts.stderr);
    const finals = (r: { stdout: string }) =>
      JSON.parse(r.stdout).rows.map((row: { report: { equityFinal: number } }) => row.report.equityFinal);
    assert.notDeepEqual(finals(opts), finals(plain));
    const bad = await cli(...args, "--spread-mode", "exit");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--spread-mode must be both or entry, got "exit"/);
    const badLimit = await cli(...args, "--risk-limit", "maxDrawdown=3");
    assert.equal(badLimit.code, 2);
    assert.match(badLimit.stderr, /--risk-limit maxDrawdown: must be /);
    const fixture = fromFileUrl(new URL("./fixtures/throws_at.ts", import.meta.url));
    const failing = await cli(
      "--strategy",
      fixture,
      "--data",
      `GOOG=${GOOG}`,
      "--workers",
      "1",
      "--param",
      "boom=1..3",
      "--out",
      dir,
    );
    assert.equal(failing.code, 0, failing.stderr);
    assert.match(failing.stderr, /1 of the runs failed:\n {2}run 2 \{"boom":2\}: .*boom at bar 10/);
    const saved = JSON.parse(await Deno.readTextFile(join(dir, "results.json")));
    assert.equal(saved.rows.length, 2);
    assert.deepEqual(saved.failed.map((f: { params: unknown }) => f.params), [{ boom: 2 }]);
    assert.match(await Deno.readTextFile(join(dir, "failed.csv")), /^run,boom,error\n2,2,".*boom at bar 10"\n$/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: a portfolio (repeated --strategy, a --config), ID.NAME ranges, a per-strategy objective, --instrument", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const two = ["--strategy", "a=sma_cross", "--strategy", "b=mean_reversion", "--data", `GOOG=${GOOG}`];
    const r = await cli(...two, "--workers", "1", "--param", "a.fast=5,10", "--objective", "b.returnPct", "--json");
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.objective, "b.returnPct");
    assert.equal(out.rows.length, 2);
    for (const row of out.rows) {
      assert.deepEqual(Object.keys(row.strategies), ["a", "b"]);
      assert.equal(row.objective, row.strategies.b.returnPct);
    }
    const contract = await cli(
      ...two,
      ...["--workers", "1", "--param", "a.fast=5,10", "--instrument", "GOOG:multiplier=2,margin=100", "--json"],
    );
    assert.equal(contract.code, 0, contract.stderr);
    const finals = (x: { stdout: string }) =>
      JSON.parse(x.stdout).rows.map((row: { report: { equityFinal: number } }) => row.report.equityFinal);
    assert.notDeepEqual(finals(contract), finals(r), "the contract terms reach every run");
    const config = join(dir, "p.json");
    await Deno.writeTextFile(
      config,
      JSON.stringify({
        cash: 20_000,
        data: [`GOOG=${GOOG}`],
        strategies: [
          { id: "fast", strategy: "sma_cross", params: { slow: 40 }, weight: 0.5 },
          { id: "slow", strategy: "sma_cross", params: { fast: 20, slow: 100 }, weight: 0.5 },
        ],
      }),
    );
    const viaFile = await cli("--config", config, "--workers", "1", "--param", "fast.fast=5,10", "--json");
    assert.equal(viaFile.code, 0, viaFile.stderr);
    const rows = JSON.parse(viaFile.stdout).rows;
    assert.deepEqual(rows.map((x: { params: Record<string, number> }) => x.params["fast.slow"]), [40, 40]);
    assert.ok(rows[0].report.equityPeak >= 20_000, "the file's cash");
    const bad = await cli(...two, "--workers", "1", "--param", "fast=5,10");
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /"fast" is not a parameter of this strategy \(parameters: a\.fast/);
    const badObjective = await cli(...two, "--workers", "1", "--param", "a.fast=5,10", "--objective", "c.sqn");
    assert.equal(badObjective.code, 2);
    assert.match(badObjective.stderr, /"c" is not a strategy of the portfolio/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
