/** A bad config stops the start with a message naming the field, and nothing reaches a venue. */
import assert from "node:assert/strict";
import { LiveConfigError, resolveLiveConfig, resolveStrategyModule } from "../../actors/system/live_config.ts";
import { buildLiveTree } from "../../actors/system/live_tree.ts";
import { validateTree } from "../../actors/runtime/spec.ts";
import { startFakeTrading } from "../fakes/binance_trading.ts";
import { CLI, DENO_JSON, paperConfig, writeConfig } from "./helpers.ts";

const noEnv = () => undefined;

async function rejects(raw: Record<string, unknown>, field: string, options = {}) {
  await assert.rejects(
    () => resolveLiveConfig(raw, { env: noEnv, ...options }),
    (err: unknown) =>
      err instanceof LiveConfigError && err.problems.some((p) => p.field === field) &&
      err.message.includes(`\n  ${field}: `),
  );
}

Deno.test("live config: the example config resolves to a valid tree", async () => {
  const config = await resolveLiveConfig(paperConfig("/tmp/unused"), { env: noEnv });
  assert.equal(config.mode, "paper");
  assert.equal(config.timeframe, "1d");
  assert.equal(config.feed.type === "replay" && config.feed.sources[0].symbol, "GOOG");
  validateTree(buildLiveTree(config));
});

Deno.test("live config: an unknown strategy names strategies[0].strategy", async () => {
  const raw = paperConfig("/tmp/unused", { strategies: [{ id: "x", strategy: "no_such_strategy" }] });
  await rejects(raw, "strategies[0].strategy");
  assert.throws(() => resolveStrategyModule("./missing.ts", "/tmp", "f"), /no file at \/tmp\/missing\.ts/);
});

Deno.test("live config: a limit of the wrong type names the limit", async () => {
  await rejects(paperConfig("/tmp/unused", { risk: { maxOrderNotional: "100" } }), "risk.maxOrderNotional");
  await rejects(paperConfig("/tmp/unused", { risk: { maxPositon: 1 } }), "risk.maxPositon");
});

Deno.test("live config: venue instruments and bracket support reach the risk guardian", async () => {
  const riskConfig = (config: Awaited<ReturnType<typeof resolveLiveConfig>>) => {
    const risk = buildLiveTree(config).children.find((c) => c.id === "risk");
    return (risk as { config: Record<string, unknown> }).config;
  };
  const instruments = { GOOG: { tickSize: 0.01, stepSize: 1, minQty: 1, minNotional: 10 } };
  const paper = await resolveLiveConfig(paperConfig("/tmp/unused", { venue: { type: "paper", instruments } }), {
    env: noEnv,
  });
  assert.deepEqual(riskConfig(paper).instruments, { paper: instruments });
  assert.deepEqual(riskConfig(paper).nativeBrackets, { paper: true });
  const raw = paperConfig("/tmp/unused", { mode: "live", venue: { type: "binance" } });
  const live = await resolveLiveConfig(raw, { env: (n: string) => `value-of-${n}` });
  assert.deepEqual(riskConfig(live).nativeBrackets, { binance: false });
  assert.equal(riskConfig(live).instruments, undefined);
  const bad = { type: "paper", instruments: { GOOG: { tickSize: -1 } } };
  await rejects(paperConfig("/tmp/unused", { venue: bad }), "venue.instruments.GOOG.tickSize");
  await rejects(
    paperConfig("/tmp/unused", { venue: { instruments: { GOOG: { tick: 1 } } } }),
    "venue.instruments.GOOG.tick",
  );
});

Deno.test("live config: bad parameters, feeds and speeds name their field", async () => {
  const bad = { id: "x", strategy: "sma_cross", params: { fast: 50, slow: 20 } };
  await rejects(paperConfig("/tmp/unused", { strategies: [bad] }), "strategies[0].params");
  const feed = { type: "replay", sources: [{ file: "/nonexistent.csv" }] };
  await rejects(paperConfig("/tmp/unused", { feed }), "feed.sources[0].file");
  const slow = { type: "replay", sources: [{ file: "/work/shared/data/backtesting_py/GOOG.csv" }], speed: -1 };
  await rejects(paperConfig("/tmp/unused", { feed: slow }), "feed.speed");
});

Deno.test("live config: paper is the default without keys; --live without a key names it", async () => {
  const raw = paperConfig("/tmp/unused", { mode: undefined, venue: { type: "binance" } });
  const config = await resolveLiveConfig(raw, { env: noEnv });
  assert.equal(config.mode, "paper");
  await rejects(raw, "venue.apiKey", { paper: false });
  const keyed = await resolveLiveConfig(raw, { env: (n: string) => `value-of-${n}` });
  assert.equal(keyed.mode, "live");
});

Deno.test("live CLI: a missing key in live mode stops the start and sends nothing to the venue", async () => {
  const fake = startFakeTrading({
    markets: [{ id: "BTCUSDT", base: "BTC", quote: "USDT" }],
    apiKey: "k",
    secret: "s",
    prices: { BTCUSDT: 1 },
  });
  const dir = await Deno.makeTempDir();
  try {
    const path = await writeConfig(
      dir,
      paperConfig(dir, { mode: "live", venue: { type: "binance", apiUrl: fake.url } }),
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", DENO_JSON, CLI, "run", "--config", path, "--no-watchdog"],
      env: { BINANCE_API_KEY: "", BINANCE_API_SECRET: "" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1);
    assert.match(stderr, /Invalid config in .*live\.json \(2 problems\):/);
    assert.match(stderr, /^ {2}venue\.apiKey: live mode needs the API key in env BINANCE_API_KEY$/m);
    assert.match(stderr, /^ {2}venue\.secret: live mode needs the API secret in env BINANCE_API_SECRET$/m);
    assert.equal(fake.count(), 0);
  } finally {
    await fake.close();
    await Deno.remove(dir, { recursive: true });
  }
});
