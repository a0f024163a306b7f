/** `deno task bench`: one line schema, --help, named subsets, unknown names refused. */
import assert from "node:assert/strict";

const MAIN = new URL("../../bench/main.ts", import.meta.url).pathname;

async function bench(...args: string[]) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("bench: --help names every group; an unknown name is refused before anything runs", async () => {
  const help = await bench("--help");
  assert.equal(help.code, 0);
  for (
    const name of ["runtime", "backtest", "data", "indicators", "storage", "optimize", "live", "memory", "cli_10m"]
  ) {
    assert.match(help.stdout, new RegExp(`^  ${name} `, "m"));
  }
  const unknown = await bench("data", "bactest");
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown benchmark "bactest"; the names are runtime, backtest, data,/);
  assert.equal(unknown.stdout, "", "nothing ran");
});

Deno.test("bench: a named subset runs only that group, each line {bench, unit, value, ...details}", async () => {
  const r = await bench("data");
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((row) => row.bench), ["data_csv_parse", "data_csv_load_file"]);
  for (const row of rows) {
    assert.equal(typeof row.unit, "string");
    assert.ok(Number.isFinite(row.value) && row.value > 0, JSON.stringify(row));
  }
  assert.equal(rows[0].unit, "rows/s");
  assert.equal(rows[0].rows, 1_000_000);
});

Deno.test("bench: the memory lines give peak RSS per strategy count, from a daemon run that traded", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("../../bench/worker_rss_bench.ts", import.meta.url).pathname, "300", "1,2"],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(out.code, 0, dec.decode(out.stderr));
  const rows = dec.decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
  assert.deepEqual(rows.map((r) => r.bench), ["live_rss_1_strategy", "live_rss_2_strategies"]);
  for (const row of rows) {
    assert.equal(row.unit, "MB");
    assert.equal(row.exitCode, 0);
    assert.ok(row.fills > 0, "the replay traded");
    // Peak RSS of a process with Workers in it: above any bare Deno process, and at least the end figure.
    assert.ok(row.value >= row.end_rss_mb && row.value > 30, JSON.stringify(row));
  }
  assert.equal(typeof rows[1].per_strategy_mb, "number");
});
