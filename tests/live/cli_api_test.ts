/**
 * `deno task live strategies …` and `deno task live backtest …` against a running paper daemon: the command line
 * finds the daemon through its config file (URL and generated token in control.json) and talks to /api/v1.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CLI, DENO_JSON, finished, paperConfig, sleep, spawnDaemon, writeConfig } from "./helpers.ts";

const opts = { sanitizeResources: false, sanitizeOps: false };

async function live(...args: string[]): Promise<{ code: number; out: unknown; err: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, CLI, ...args],
    stdin: "null",
    env: { TRADEACTOR_LOG: "warn" },
  }).output();
  const text = new TextDecoder().decode(stdout);
  let out: unknown = text;
  try {
    out = JSON.parse(text);
  } catch {
    // usage text
  }
  return { code, out, err: new TextDecoder().decode(stderr) };
}

Deno.test({
  name: "live CLI: strategies add/list/update/stop/remove and backtest submit --wait through the API",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-cli-api-" });
    const venue = { type: "paper", name: "paper", initialCash: 20_000, commission: 0.002, defaultStep: 1 };
    const config = await writeConfig(
      dir,
      paperConfig(dir, { exitAtEnd: false, venue, api: { dataDirs: ["/work/shared/data"] } }),
    );
    const child = spawnDaemon(config);
    for (let i = 0; i < 600; i++) {
      const doc = await Deno.readTextFile(join(dir, "control.json")).then(JSON.parse).catch(() => undefined);
      if (doc?.pid === child.pid) break;
      await sleep(100);
    }
    const c = ["--config", config];

    const added = await live(
      "strategies",
      "add",
      "b",
      "sma_cross",
      ...c,
      "--capital",
      "10000",
      "--param",
      "fast=5",
      "--param",
      "slow=15",
      "--limit",
      "maxPositionQty=500",
      "--reason",
      "from the shell",
    );
    assert.equal(added.code, 0, added.err + JSON.stringify(added.out));
    assert.deepEqual((added.out as { strategy: { params: unknown } }).strategy.params, {
      fast: 5,
      slow: 15,
      average: "sma",
      mode: "long_short",
      fraction: 1,
    });
    const listed = await live("strategies", "list", ...c);
    assert.deepEqual((listed.out as { strategies: { id: string }[] }).strategies.map((s) => s.id), ["b", "ma-goog"]);
    const updated = await live(
      "strategies",
      "update",
      "b",
      ...c,
      "--param",
      "fast=3",
      "--param",
      "slow=12",
      "--reason",
      "faster",
    );
    assert.equal(updated.code, 0, updated.err);
    assert.equal((updated.out as { strategy: { params: { fast: number } } }).strategy.params.fast, 3);
    const stopped = await live("strategies", "stop", "b", ...c, "--keep", "--reason", "pause");
    assert.equal((stopped.out as { strategy: { status: string } }).strategy.status, "STOPPED");
    const refused = await live("strategies", "remove", "b", ...c);
    assert.equal(refused.code, 2);
    assert.match(refused.err, /--reason \(it is journaled\) is required/);
    const removed = await live("strategies", "remove", "b", ...c, "--flatten", "--reason", "done");
    assert.equal(removed.code, 0, removed.err);
    assert.equal((removed.out as { removed: string }).removed, "b");
    const gone = await live("strategies", "update", "b", ...c, "--param", "fast=4", "--reason", "late");
    assert.equal(gone.code, 1);
    assert.match(JSON.stringify(gone.out), /no strategy b/);

    const job = await live(
      "backtest",
      "submit",
      ...c,
      "--data",
      "backtesting_py/GOOG.csv",
      "--param",
      "fast=10",
      "--param",
      "slow=30",
      "--commission",
      "0.002",
      "--wait",
      "--reason",
      "a look",
    );
    assert.equal(job.code, 0, job.err + JSON.stringify(job.out));
    const report = (job.out as { report: { equityFinal: number; tradeCount: number } }).report;
    assert.ok(report.equityFinal > 0 && report.tradeCount > 10, JSON.stringify(report));
    const badData = await live("backtest", "submit", ...c, "--data", "/etc/passwd", "--reason", "no");
    assert.equal(badData.code, 1);
    assert.match(JSON.stringify(badData.out), /no such file under the data directories/);
    const badOption = await live("backtest", "submit", ...c, "--fill", "later", "--reason", "no");
    assert.equal(badOption.code, 2);
    assert.match(badOption.err, /--fill must be next_open or close/);

    child.kill("SIGTERM");
    assert.equal((await finished(child)).code, 0);
    await Deno.remove(dir, { recursive: true });
  },
});
