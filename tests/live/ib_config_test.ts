/** A live config with an IB venue and an IB feed resolves to a tree running the IB adapter and feed; bad contracts name their field. */
import assert from "node:assert/strict";
import { LiveConfigError, resolveLiveConfig } from "../../actors/system/live_config.ts";
import { buildLiveTree } from "../../actors/system/live_tree.ts";
import { validateTree } from "../../actors/runtime/spec.ts";
import type { ActorSpec, SupervisorSpec } from "../../actors/runtime/mod.ts";

const noEnv = () => undefined;

function ibConfig(venue: Record<string, unknown> = {}, feed: Record<string, unknown> = {}) {
  return {
    mode: "live",
    dataDir: "/tmp/unused-ib",
    venue: {
      type: "ib",
      name: "ib",
      port: 4002,
      clientId: 11,
      contracts: {
        AAPL: { secType: "STK", primaryExch: "NASDAQ" },
        ES: { secType: "FUT", lastTradeDateOrContractMonth: "202612", exchange: "CME" },
      },
      ...venue,
    },
    feed: { type: "ib", symbols: ["AAPL"], timeframe: "1m", port: 4002, clientId: 12, ...feed },
    strategies: [{ id: "ma-aapl", strategy: "sma_cross", params: { fast: 10, slow: 20 }, capital: 10_000 }],
  };
}

function find(spec: SupervisorSpec, id: string): ActorSpec | undefined {
  for (const child of spec.children) {
    if (child.kind === "actor" && child.id === id) return child;
    if (child.kind === "supervisor") {
      const found = find(child, id);
      if (found) return found;
    }
  }
  return undefined;
}

Deno.test("ib config: venue and feed of type ib run the IB adapter and feed with their connection settings", async () => {
  const config = await resolveLiveConfig(ibConfig(), { env: noEnv });
  assert.equal(config.mode, "live");
  assert.equal(config.venue.type, "ib");
  const tree = buildLiveTree(config);
  validateTree(tree);
  const exchange = find(tree, "exchange")!;
  assert.match(exchange.module, /exchange\/ib\/adapter\.ts$/);
  const client = exchange.config as { client: Record<string, unknown>; pollMs: number };
  assert.deepEqual([client.client.port, client.client.clientId, client.pollMs], [4002, 11, 250]);
  const feed = find(tree, "feed")!;
  assert.match(feed.module, /data_feed\/ib_feed\.ts$/);
  assert.deepEqual((feed.config as { symbols: unknown }).symbols, { AAPL: { secType: "STK" } });
});

Deno.test("ib config: --paper keeps the IB feed and trades on the paper venue", async () => {
  const config = await resolveLiveConfig(ibConfig(), { env: noEnv, paper: true });
  assert.equal(config.venue.type, "paper");
  assert.equal(config.feed.type, "ib");
});

Deno.test("ib config: a future without expiry and a bad feed port name their fields", async () => {
  for (
    const [raw, field] of [
      [ibConfig({ contracts: { ES: { secType: "FUT", exchange: "CME" } } }), "venue.contracts.ES"],
      [ibConfig({ contracts: {} }), "venue.contracts"],
      [ibConfig({}, { port: "x" }), "feed.port"],
      [ibConfig({ contracts: { X: { secType: "OPT" } } }), "venue.contracts.X"],
    ] as const
  ) {
    await assert.rejects(
      () => resolveLiveConfig(raw, { env: noEnv }),
      (err: unknown) => err instanceof LiveConfigError && err.problems.some((p) => p.field === field),
      field,
    );
  }
});
