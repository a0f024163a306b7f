/**
 * Backtest jobs through the operator API of a running paper daemon, with a real HTTP client: the same report as
 * `deno task backtest` with the same options, data only under the configured directories, a bounded queue (429),
 * cancel and delete, files served under the same auth, and jobs that survive a restart (running ones marked
 * interrupted, queued ones run).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { finished, paperConfig, sleep, spawnDaemon, writeConfig } from "./helpers.ts";
import { runBacktestCommand } from "../../cli/backtest.ts";

const DATA = "/work/shared/data";
const opts = { sanitizeResources: false, sanitizeOps: false };
const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
/** A long job (about 2 s of CPU: 1 ms per bar), from a file under the strategies directory, so others queue. */
const LONG = { data: ["backtesting_py/GOOG.csv"], strategy: "slow_bars.ts", params: { msPerBar: 1 } };

async function until<T>(what: string, check: () => Promise<T | undefined | false>): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > 90_000) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function start(dir: string, api: Record<string, unknown>) {
  const path = await writeConfig(dir, paperConfig(dir, { exitAtEnd: false, api }));
  const child = spawnDaemon(path);
  const control = await until("control.json", async () => {
    const doc = await Deno.readTextFile(join(dir, "control.json")).then(JSON.parse).catch(() => undefined);
    return doc?.pid === child.pid ? doc as { url: string; token: string } : undefined;
  });
  const call = async (method: string, path: string, body?: unknown, token: string | null = control.token) => {
    const response = await fetch(`${control.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const type = response.headers.get("content-type") ?? "";
    const payload = type.startsWith("application/json") ? await response.json() : await response.text();
    return { status: response.status, headers: response.headers, body: payload };
  };
  return { child, call };
}

type Call = Awaited<ReturnType<typeof start>>["call"];

const statusOf = async (call: Call, id: string) => (await call("GET", `/api/v1/backtest/${id}/status`)).body;
const done = (call: Call, id: string, want = "done") =>
  until(`job ${id} ${want}`, async () => {
    const s = await statusOf(call, id);
    if (want === "done" && s.status === "failed") throw new Error(`job failed: ${s.error}`);
    return s.status === want ? s : undefined;
  });

Deno.test({
  name: "backtest API: a job gives the report `deno task backtest` gives, its files under the same auth",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-backtest-" });
    const { child, call } = await start(dir, { dataDirs: [DATA] });
    const options = {
      data: ["backtesting_py/GOOG.csv"],
      strategy: "sma_cross",
      params: { fast: 10, slow: 30 },
      commission: 0.002,
      closeAtEnd: true,
    };
    const submitted = await call("POST", "/api/v1/backtest", { ...options, reason: "compare" });
    assert.equal(submitted.status, 202, JSON.stringify(submitted.body));
    const id = submitted.body.id;
    const finishedJob = await done(call, id);
    assert.deepEqual(finishedJob.progress, { bars: 2148, of: 2148, fraction: 1 });
    assert.equal(finishedJob.requestedBy, "admin");

    const cliOut = join(dir, "cli");
    const code = await runBacktestCommand([
      "--data",
      `${DATA}/backtesting_py/GOOG.csv`,
      "--param",
      "fast=10",
      "--param",
      "slow=30",
      "--commission",
      "0.002",
      "--close-at-end",
      "--out",
      cliOut,
      "--json",
    ]);
    assert.equal(code, 0);
    const results = await call("GET", `/api/v1/backtest/${id}/results`);
    assert.equal(results.status, 200);
    assert.deepEqual(results.body.report, JSON.parse(await Deno.readTextFile(join(cliOut, "report.json"))));
    assert.equal(results.body.links["report.html"], `/api/v1/backtest/${id}/files/report.html`);

    const html = await call("GET", results.body.links["report.html"]);
    assert.equal(html.status, 200);
    assert.match(html.headers.get("content-type")!, /^text\/html/);
    assert.match(html.headers.get("content-security-policy")!, /sandbox allow-scripts/);
    assert.equal(html.body, await Deno.readTextFile(join(cliOut, "report.html")));
    const trades = await call("GET", results.body.links["trades.csv"]);
    assert.equal(trades.body, await Deno.readTextFile(join(cliOut, "trades.csv")));
    // equity.csv comes from the job's writer thread (a Worker inside the job's sandboxed Worker): the same bytes.
    const equity = await call("GET", results.body.links["equity.csv"]);
    assert.equal(equity.status, 200);
    assert.equal(equity.body, await Deno.readTextFile(join(cliOut, "equity.csv")));
    assert.equal((await call("GET", `/api/v1/backtest/${id}/files/..%2Flive.json`)).status, 400);
    // A portfolio (several strategies) names files relative to a file the daemon does not have: not over the API.
    const portfolio = await call("POST", "/api/v1/backtest", {
      data: [`GOOG=${DATA}/backtesting_py/GOOG.csv`],
      strategies: [{ id: "a", strategy: "sma_cross" }, { id: "b", strategy: "mean_reversion" }],
      reason: "mix",
    });
    assert.equal(portfolio.status, 400);
    assert.match(
      JSON.stringify(portfolio.body),
      /unknown field \\"strategies\\"/,
    );
    // The job's options are journaled as a control call, with who and why.
    const list = await call("GET", "/api/v1/backtest");
    assert.deepEqual(list.body.jobs.map((j: { id: string }) => j.id), [id]);

    // Refused before anything is queued, each saying why.
    const refusals: [unknown, number, RegExp][] = [
      [{ data: ["/etc/passwd"] }, 400, /no such file under the data directories/],
      [{ data: ["../../../etc/passwd"] }, 400, /no such file under the data directories/],
      [{ data: [`${dir}/live.json`] }, 400, /no such file under the data directories/],
      [{ ...options, strategy: "/tmp/evil.ts" }, 400, /unknown strategy "\/tmp\/evil.ts": the built-ins are/],
      [{ ...options, params: { fast: 40, slow: 30 } }, 400, /parameter "fast" must be below slow/],
      [{ ...options, fill: "tomorrow" }, 400, /"fill" must be one of next_open, close/],
      [{ ...options, out: "/tmp/x" }, 400, /unknown field "out"/],
      [{ ...options, leverage: 0.5 }, 400, /"leverage" must be a number ≥ 1, got 0.5/],
      [{ ...options, risk: "/etc/passwd" }, 400, /"risk" must be an object/],
      [{ ...options, risk: { risk: { maxPositionQty: -1 } } }, 400, /risk.maxPositionQty/],
    ];
    for (const [body, status, error] of refusals) {
      const r = await call("POST", "/api/v1/backtest", { ...(body as object), reason: "bad" });
      assert.equal(r.status, status, JSON.stringify(r.body));
      assert.match(r.body.error, error);
    }
    assert.equal((await call("POST", "/api/v1/backtest", { ...options, reason: "x" }, null)).status, 401);
    assert.equal((await call("GET", "/api/v1/backtest")).body.jobs.length, 1, "a refused job was queued");

    // Deleting a finished job deletes it and its files.
    assert.deepEqual((await call("DELETE", `/api/v1/backtest/${id}`, { reason: "tidy" })).body, {
      id,
      deleted: true,
      was: "done",
    });
    assert.equal((await call("GET", `/api/v1/backtest/${id}/status`)).status, 404);
    await assert.rejects(Deno.stat(join(dir, "backtests", id)));

    child.kill("SIGTERM");
    assert.equal((await finished(child)).code, 0);
    await Deno.remove(dir, { recursive: true });
  },
});

Deno.test({
  name: "backtest API: a bounded queue (429), cancel, and jobs that survive a restart",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-backtest-queue-" });
    const api = { dataDirs: [DATA], strategiesDir: FIXTURES, backtest: { workers: 1, queue: 1 } };
    let daemon = await start(dir, api);
    const submit = (reason: string) => daemon.call("POST", "/api/v1/backtest", { ...LONG, reason });
    const first = await submit("first");
    const second = await submit("second");
    const third = await submit("third");
    assert.equal(first.status, 202);
    assert.equal(first.body.status, "running");
    assert.equal(second.status, 202);
    assert.equal(second.body.status, "queued");
    assert.equal(third.status, 429, JSON.stringify(third.body));
    assert.match(third.body.error, /queue is full \(1 running, 1 waiting, at most 1\)/);
    assert.equal(third.headers.get("retry-after"), "10");

    // Cancel the queued one; the running one keeps going and reports progress.
    const cancelled = await daemon.call("DELETE", `/api/v1/backtest/${second.body.id}`, { reason: "not needed" });
    assert.deepEqual(cancelled.body, { id: second.body.id, cancelled: true, was: "queued" });
    assert.equal((await statusOf(daemon.call, second.body.id)).status, "cancelled");
    await until("progress", async () => (await statusOf(daemon.call, first.body.id)).progress.bars > 0);
    // The daemon answers while a job runs: jobs are off its thread.
    assert.equal((await daemon.call("GET", "/api/v1/strategies")).status, 200);

    // Running and queued jobs, then the daemon stops.
    const queued = await submit("waits for the restart");
    assert.equal(queued.body.status, "queued");
    daemon.child.kill("SIGTERM");
    assert.equal((await finished(daemon.child)).code, 0);

    daemon = await start(dir, api);
    const interrupted = await statusOf(daemon.call, first.body.id);
    assert.equal(interrupted.status, "interrupted");
    assert.match(interrupted.error, /the daemon stopped while it ran/);
    const ran = await done(daemon.call, queued.body.id);
    assert.equal(ran.progress.fraction, 1);
    assert.equal((await daemon.call("GET", `/api/v1/backtest/${queued.body.id}/results`)).status, 200);
    assert.equal((await daemon.call("GET", `/api/v1/backtest/${first.body.id}/results`)).status, 409);

    // Cancel a running job: its Worker is stopped at once.
    const running = await submit("to cancel");
    assert.equal(running.body.status, "running");
    const stopped = await daemon.call("DELETE", `/api/v1/backtest/${running.body.id}`, { reason: "stop it" });
    assert.deepEqual(stopped.body, { id: running.body.id, cancelled: true, was: "running" });
    const next = await submit("after the cancel");
    assert.equal(next.body.status, "running", "the cancelled job's worker is free again");
    await done(daemon.call, next.body.id);
    assert.equal((await statusOf(daemon.call, running.body.id)).status, "cancelled");

    daemon.child.kill("SIGTERM");
    assert.equal((await finished(daemon.child)).code, 0);
    await Deno.remove(dir, { recursive: true });
  },
});
