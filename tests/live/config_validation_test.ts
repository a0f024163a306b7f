/**
 * Config validation before anything starts: every bad field is named by its JSON path, all of a file's mistakes
 * are reported together, and neither `live check` nor `live run` gets past a bad file.
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type LiveConfig, LiveConfigError, resolveLiveConfig } from "../../actors/system/live_config.ts";
import { buildLiveTree } from "../../actors/system/live_tree.ts";
import { validateTree } from "../../actors/runtime/spec.ts";
import { CLI, DENO_JSON, GOOG, paperConfig, writeConfig } from "./helpers.ts";

const noEnv = () => undefined;
const DIR = "/tmp/unused";
const VENUE = { type: "paper", name: "paper", initialCash: 10_000, commission: 0.002, defaultStep: 1 };
const strategy = (id: string, extra: Record<string, unknown> = {}) => ({
  id,
  strategy: "sma_cross",
  params: { fast: 10, slow: 20 },
  ...extra,
});

async function problemsOf(raw: unknown, options = {}): Promise<LiveConfigError["problems"]> {
  try {
    await resolveLiveConfig(raw, { env: noEnv, ...options });
  } catch (err) {
    if (err instanceof LiveConfigError) return err.problems;
    throw err;
  }
  assert.fail("the config was accepted");
}

/** The config is refused with exactly one problem, at `field`, whose reason matches `why`. */
async function refusedAt(overrides: Record<string, unknown>, field: string, why: RegExp): Promise<void> {
  const problems = await problemsOf(paperConfig(DIR, overrides));
  assert.deepEqual(problems.map((p) => p.field), [field], JSON.stringify(overrides));
  assert.match(problems[0].why, why, field);
}

function guardianConfig(config: LiveConfig): Record<string, unknown> {
  const risk = buildLiveTree(config).children.find((c) => c.id === "risk");
  return (risk as { config: Record<string, unknown> }).config;
}

Deno.test("config validation: storage URLs by scheme", async () => {
  await refusedAt({ db: "mysql://x" }, "db", /unsupported scheme "mysql:": use sqlite:PATH .* or postgres:\/\//);
  await refusedAt({ db: "http://example.com/db" }, "db", /unsupported scheme "http:"/);
  const redis = await resolveLiveConfig(paperConfig(DIR, { db: "redis://127.0.0.1:6379/?prefix=a" }), { env: noEnv });
  assert.equal(redis.db, "redis://127.0.0.1:6379/?prefix=a", "the Redis Streams journal");
  await refusedAt({ db: "" }, "db", /non-empty string/);
  const base = "/srv/cfg";
  const relative = await resolveLiveConfig(paperConfig(DIR, { db: "state/j.sqlite" }), { env: noEnv, baseDir: base });
  assert.equal(relative.db, "sqlite:/srv/cfg/state/j.sqlite");
  const sqlite = await resolveLiveConfig(paperConfig(DIR, { db: "sqlite:/var/j.sqlite" }), { env: noEnv });
  assert.equal(sqlite.db, "sqlite:/var/j.sqlite");
  const pg = await resolveLiveConfig(paperConfig(DIR, { db: "postgresql://u@127.0.0.1/test" }), { env: noEnv });
  assert.equal(pg.db, "postgresql://u@127.0.0.1/test");
  const byDefault = await resolveLiveConfig(paperConfig(DIR), { env: noEnv });
  assert.equal(byDefault.db, `sqlite:${DIR}/journal.sqlite`);
});

Deno.test("config validation: control port and hostname", async () => {
  for (const port of [70_000, -1, 80.5, "8080", 1e999]) {
    await refusedAt({ control: { port } }, "control.port", /whole number ≥ 0 and ≤ 65535/);
  }
  for (const hostname of ["bad host", "300.1.1.1", "[::1]", "exa_mple.com", "-a.com", ":::x", ""]) {
    await refusedAt({ control: { hostname, port: 0 } }, "control.hostname", /not a valid|IPv6|non-empty/);
  }
  for (const hostname of ["127.0.0.1", "0.0.0.0", "::1", "::", "localhost", "trading-vm.example.com"]) {
    const config = await resolveLiveConfig(paperConfig(DIR, { control: { hostname, port: 65_535 } }), { env: noEnv });
    assert.deepEqual(config.control, { hostname, port: 65_535 });
  }
});

Deno.test("config validation: commission, slippage and cash in sane ranges", async () => {
  const venue = (extra: Record<string, unknown>) => ({ venue: { ...VENUE, ...extra } });
  await refusedAt(venue({ commission: 5 }), "venue.commission", /≥ 0 and < 0\.1 \(a fraction of notional.*got 5$/);
  await refusedAt(venue({ commission: 0.1 }), "venue.commission", /got 0\.1$/);
  await refusedAt(venue({ commission: -0.001 }), "venue.commission", /got -0\.001$/);
  await refusedAt(venue({ slippageBps: 2_500 }), "venue.slippageBps", /basis points/);
  await refusedAt(venue({ slippageBps: -1 }), "venue.slippageBps", /got -1$/);
  await refusedAt({ ...venue({ initialCash: 0 }), strategies: [strategy("a")] }, "venue.initialCash", /> 0/);
  await refusedAt(venue({ defaultStep: 0 }), "venue.defaultStep", /> 0/);
  await refusedAt(venue({ pollMs: 500 }), "venue.pollMs", /only used by venue type "binance"/);
  const config = await resolveLiveConfig(paperConfig(DIR, venue({ commission: 0.001, slippageBps: 5 })), {
    env: noEnv,
  });
  const exchange = buildLiveTree(config).children.find((c) => c.id === "exchange") as {
    config: { client: { sim: { costs: unknown } } };
  };
  assert.deepEqual(exchange.config.client.sim.costs, {
    commission: { kind: "percent", rate: 0.001 },
    slippage: { kind: "fixed_bps", bps: 5 },
    impact: { kind: "none" },
  });
});

Deno.test("config validation: strategy capital is positive and adds up to at most the paper account's cash", async () => {
  await refusedAt(
    { strategies: [strategy("a", { capital: 15_000 })] },
    "strategies[0].capital",
    /brings the strategies' capital to 15000, above venue\.initialCash \(10000\).*add up to at most its cash/,
  );
  const two = [strategy("a", { capital: 6_000 }), strategy("b", { capital: 6_000 })];
  await refusedAt({ strategies: two }, "strategies[1].capital", /to 12000, above/);
  await refusedAt({ strategies: [strategy("a", { capital: 0 })] }, "strategies[0].capital", /> 0, got 0/);
  await refusedAt({ strategies: [strategy("a", { capital: -5 })] }, "strategies[0].capital", /got -5/);
  const full = [strategy("a", { capital: 10_000 }), strategy("b")];
  await refusedAt({ strategies: full }, "strategies[1].capital", /leaves none of venue\.initialCash/);
  // Left out: an equal share of what the others leave.
  const shared = [strategy("a", { capital: 4_000 }), strategy("b"), strategy("c")];
  const config = await resolveLiveConfig(paperConfig(DIR, { strategies: shared }), { env: noEnv });
  assert.deepEqual(config.strategies.map((s) => s.capital), [4_000, 3_000, 3_000]);
  // A live venue's cash is unknown before it starts: each strategy states its capital.
  const live = paperConfig(DIR, { mode: "live", venue: { type: "binance" }, strategies: [strategy("a")] });
  const problems = await problemsOf(live, { env: (name: string) => `value-of-${name}` });
  assert.deepEqual(problems.map((p) => p.field), ["strategies[0].capital"]);
  assert.match(problems[0].why, /required with a live venue/);
});

Deno.test("config validation: webhooks are http(s) only; feed URLs, timeframes and numbers are checked", async () => {
  for (const webhookUrl of ["file:///etc/passwd", "ftp://example.com/x", "javascript:alert(1)", "not a url"]) {
    await refusedAt({ alerts: { webhookUrl } }, "alerts.webhookUrl", /http:\/\/ or https:\/\/ URL|not a URL/);
  }
  const hook = await resolveLiveConfig(paperConfig(DIR, { alerts: { webhookUrl: "https://hooks.example.com/a" } }), {
    env: noEnv,
  });
  assert.equal(hook.alerts.webhookUrl, "https://hooks.example.com/a");
  const replay = (source: Record<string, unknown>, extra = {}) => ({
    feed: { type: "replay", sources: [{ file: GOOG, symbol: "GOOG", ...source }], ...extra },
  });
  await refusedAt(replay({ timeframe: "2m" }), "feed.sources[0].timeframe", /unknown timeframe "2m" \(known: 1m,/);
  await refusedAt(replay({}, { limit: 0.5 }), "feed.limit", /whole number ≥ 1/);
  await refusedAt(replay({}, { speed: 1e999 }), "feed.speed", /got Infinity/);
  const binance = (extra: Record<string, unknown>) => ({
    feed: { type: "binance", symbols: ["BTC/USDT"], ...extra },
    strategies: [strategy("a", { capital: 1_000 })],
  });
  await refusedAt(binance({ timeframe: "7m" }), "feed.timeframe", /unknown timeframe "7m"/);
  await refusedAt(binance({ wsUrl: "https://stream.example.com" }), "feed.wsUrl", /ws:\/\/ or wss:\/\//);
  await refusedAt(binance({ apiUrl: "file:///x" }), "feed.apiUrl", /http:\/\/ or https:\/\//);
  await refusedAt({ statusEveryMs: -1 }, "statusEveryMs", /≥ 0/);
  // JSON's 1e999 is Infinity: a limit that must be finite refuses it.
  const infinite = JSON.parse('{"maxOrderNotional": 1e999}');
  await refusedAt({ risk: infinite }, "risk.maxOrderNotional", /got Infinity/);
});

Deno.test("config validation: account risk limits and their ranges", async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ maxPositionQty: -1 }, /≥ 0/],
    [{ maxGrossExposure: -1 }, /≥ 0/],
    [{ maxOrderNotional: "100" }, /got "100"/],
    [{ maxOpenOrders: 1.5 }, /whole number ≥ 0/],
    [{ maxOrdersPerMinute: -2 }, /whole number ≥ 0/],
    [{ priceBand: 0 }, /> 0 and ≤ 1/],
    [{ priceBand: 1.5 }, /> 0 and ≤ 1/],
    [{ dailyLossLimit: 0 }, /> 0/],
    [{ maxDrawdown: 20 }, /> 0 and ≤ 1 \(a fraction of the peak equity/],
    [{ minNotional: -10 }, /≥ 0/],
    [{ quarantinePolicy: "burn" }, /must be "flatten" or "keep", got "burn"/],
  ];
  for (const [risk, why] of cases) await refusedAt({ risk }, `risk.${Object.keys(risk)[0]}`, why);
  const good = {
    maxPositionQty: 30,
    maxGrossExposure: 20_000,
    maxOrderNotional: 5_000,
    maxOpenOrders: 4,
    maxOrdersPerMinute: 60,
    priceBand: 0.1,
    dailyLossLimit: 500,
    maxDrawdown: 0.25,
    minNotional: 10,
  };
  const config = await resolveLiveConfig(paperConfig(DIR, { risk: { ...good, quarantinePolicy: "keep" } }), {
    env: noEnv,
  });
  assert.deepEqual(config.risk, good);
  assert.equal(config.quarantinePolicy, "keep");
  assert.deepEqual(guardianConfig(config).limits, good);
});

Deno.test("config validation: per-strategy limits reach the risk guardian, for the strategies that have them", async () => {
  const limits = { maxPositionQty: 10, maxOrderNotional: 2_000, maxLoss: 500, maxDrawdown: 0.2, maxOpenOrders: 2 };
  const strategies = [
    strategy("a", { capital: 5_000, limits }),
    strategy("b", { capital: 4_000 }),
    strategy("c", { capital: 0.5, limits: { maxOrdersPerMinute: 6, maxGrossExposure: 3_000 } }),
  ];
  const config = await resolveLiveConfig(paperConfig(DIR, { strategies }), { env: noEnv });
  validateTree(buildLiveTree(config));
  assert.deepEqual(config.strategies[0].limits, limits);
  assert.equal(config.strategies[1].limits, undefined);
  assert.equal(config.quarantinePolicy, "flatten");
  const guardian = guardianConfig(config);
  assert.deepEqual(guardian.strategyLimits, { a: limits, c: { maxOrdersPerMinute: 6, maxGrossExposure: 3_000 } });
  assert.equal(guardian.quarantinePolicy, "flatten");

  const bad = { maxDrawdown: 0, maxLoss: -1, maxOpenOrders: 2.5, maxPositionQty: "10" };
  const problems = await problemsOf(paperConfig(DIR, { strategies: [strategy("a", { limits: bad })] }));
  assert.deepEqual(problems.map((p) => p.field), Object.keys(bad).map((k) => `strategies[0].limits.${k}`));
  assert.match(problems[0].why, /> 0 and ≤ 1/);
  await refusedAt({ strategies: [strategy("a", { limits: [] })] }, "strategies[0].limits", /must be an object/);
});

Deno.test("config validation: unknown keys are errors with a did-you-mean", async () => {
  const raw = paperConfig(DIR, {
    strategy: [],
    control: { hostname: "127.0.0.1", prot: 8080 },
    venue: { ...VENUE, comission: 0.001 },
    risk: { maxPositon: 30, quarantinePolicey: "keep" },
    alerts: { webhook: "https://x.example" },
    strategies: [strategy("a", { capitol: 100, limits: { maxLos: 5 } })],
    zzzzzz: 1,
  });
  const problems = await problemsOf(raw);
  const byField = Object.fromEntries(problems.map((p) => [p.field, p.why]));
  assert.deepEqual(byField, {
    "strategy": 'unknown field; did you mean "strategies"?',
    "control.prot": 'unknown field; did you mean "port"?',
    "venue.comission": 'unknown field; did you mean "commission"?',
    "risk.maxPositon": 'unknown field; did you mean "maxPositionQty"?',
    "risk.quarantinePolicey": 'unknown field; did you mean "quarantinePolicy"?',
    "alerts.webhook": 'unknown field; did you mean "webhookUrl"?',
    "strategies[0].capitol": 'unknown field; did you mean "capital"?',
    "strategies[0].limits.maxLos": 'unknown field; did you mean "maxLoss"?',
    "zzzzzz": byField.zzzzzz,
  });
  assert.match(byField.zzzzzz, /^unknown field \(known: mode, dataDir, db, control, venue, feed, strategies,/);
});

Deno.test("config validation: several mistakes in one file are all reported, in file order", async () => {
  const raw = paperConfig(DIR, {
    db: "mysql://x",
    control: { hostname: "127.0.0.1", port: 70_000 },
    venue: { ...VENUE, commission: 5 },
    strategies: [strategy("a", { capital: 15_000 })],
    risk: { maxDrawdown: 0 },
    alerts: { webhookUrl: "file:///etc/passwd" },
  });
  let error: unknown;
  await resolveLiveConfig(raw, { env: noEnv }).catch((err) => (error = err));
  assert.ok(error instanceof LiveConfigError);
  // paperConfig keeps its own keys first (control, venue, strategies), then adds db, risk, alerts in this order.
  const fields = [
    "control.port",
    "venue.commission",
    "strategies[0].capital",
    "db",
    "risk.maxDrawdown",
    "alerts.webhookUrl",
  ];
  assert.deepEqual(error.problems.map((p) => p.field), fields);
  assert.equal(error.field, "control.port");
  const lines = error.message.split("\n");
  assert.equal(lines[0], "Invalid config (6 problems):");
  assert.deepEqual(lines.slice(1).map((l) => l.split(": ")[0]), fields.map((f) => `  ${f}`));
});

Deno.test("config validation: live check lists every problem and exits 1; a good file prints ok", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const bad = await writeConfig(
      dir,
      paperConfig(join(dir, "data"), {
        db: "mysql://127.0.0.1:3306",
        control: { hostname: "127.0.0.1", port: 70_000 },
        venue: { ...VENUE, commission: 5 },
        alerts: { webhookUrl: "file:///etc/passwd" },
      }),
    );
    const out = await cli(["check", "--config", bad]);
    assert.equal(out.code, 1);
    assert.equal(out.stdout, "");
    assert.match(out.stderr, /^Invalid config in .*live\.json \(4 problems\):$/m);
    for (const field of ["control.port", "venue.commission", "alerts.webhookUrl", "db"]) {
      assert.match(out.stderr, new RegExp(`^ {2}${field.replace(".", "\\.")}: `, "m"));
    }
    const example = await cli([
      "check",
      "--config",
      new URL("../../deploy/live.example.json", import.meta.url).pathname,
    ]);
    assert.equal(example.code, 0, example.stderr);
    assert.match(example.stdout, /live\.example\.json: ok \(paper, venue paper, 2 strategies\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config validation: live run with a bad port stops before anything starts", async () => {
  const dir = await Deno.makeTempDir();
  const dataDir = join(dir, "data");
  try {
    const path = await writeConfig(dir, paperConfig(dataDir, { control: { hostname: "127.0.0.1", port: 70_000 } }));
    // Under the watchdog, as an operator runs it: the parent validates before it spawns a daemon.
    const out = await cli(["run", "--config", path]);
    assert.equal(out.code, 1);
    assert.match(out.stderr, /^ {2}control\.port: must be a whole number ≥ 0 and ≤ 65535 .*got 70000$/m);
    assert.equal(existsSync(join(dataDir, "journal.sqlite")), false);
    assert.equal(existsSync(dataDir), false, "nothing was created: no journal, no heartbeat, no paper book");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("config validation: live status still finds the daemon when the file was since edited into an error", async () => {
  const dir = await Deno.makeTempDir();
  const dataDir = join(dir, "data");
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => Response.json({ path: new URL(req.url).pathname, seen: "by the running daemon" }),
  );
  try {
    await Deno.mkdir(dataDir);
    const url = `http://127.0.0.1:${server.addr.port}`;
    await Deno.writeTextFile(join(dataDir, "control.json"), JSON.stringify({ url, pid: 1 }));
    const path = await writeConfig(dir, paperConfig("./data", { control: { port: 70_000 }, venue: { commission: 5 } }));
    const run = await cli(["run", "--config", path]);
    assert.equal(run.code, 1, "the file is invalid");
    const status = await cli(["status", "--config", path]);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout), { path: "/api/v1/status", seen: "by the running daemon" });
  } finally {
    await server.shutdown();
    await Deno.remove(dir, { recursive: true });
  }
});

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, CLI, ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    env: { TRADEACTOR_LOG: "warn" },
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}
