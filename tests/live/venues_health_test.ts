/**
 * A daemon with two venues (paper "us" and IB "ib" against the fake TWS): /health, /status and their detail cover
 * both, and the IB connection's loss is a reason naming that venue ("venue ib: not reconciled") while the paper
 * venue stays ready; once TWS is back and the adapter has reconciled, the reason goes.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { GOOG, paperConfig, sleep, spawnDaemon, writeConfig } from "./helpers.ts";
import { defaultInstruments, startFakeTws } from "../fakes/tws.ts";

interface Health {
  ok: boolean;
  reasons: string[];
  venues?: Record<string, { phase?: string; error?: string; feed?: { state: string } }>;
}

async function get<T>(dir: string, path: string): Promise<T | undefined> {
  try {
    const { url } = JSON.parse(await Deno.readTextFile(join(dir, "control.json")));
    const res = await fetch(`${url}${path}`, { signal: AbortSignal.timeout(5_000) });
    return await res.json() as T;
  } catch {
    return undefined;
  }
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ok: (v: T) => boolean): Promise<T> {
  const deadline = Date.now() + 60_000; // hang guard only
  for (;;) {
    const v = await probe();
    if (v !== undefined && ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await sleep(50);
  }
}

Deno.test({
  name: "two venues: health and status cover each; a venue's lost connection is a reason naming it",
  sanitizeResources: false,
  async fn() {
    const fake = startFakeTws({ instruments: defaultInstruments() });
    const dir = await Deno.makeTempDir({ prefix: "live-venues-health-" });
    const { venue: _, ...base } = paperConfig(dir);
    const config = {
      ...base,
      mode: "live",
      exitAtEnd: false,
      // A replay that ends: an ended feed is not stale, so the venues' adapters are what health is about here.
      feed: { type: "replay", sources: [{ file: GOOG, symbol: "GOOG" }, { file: GOOG, symbol: "AAPL" }] },
      venues: {
        us: { type: "paper", initialCash: 10_000, defaultStep: 1 },
        ib: { type: "ib", port: fake.port, clientId: 1, pollMs: 50, contracts: { AAPL: { secType: "STK" } } },
      },
      fx: {},
      strategies: [
        { id: "p1", venue: "us", strategy: "sma_cross", params: { fast: 10, slow: 20 }, capital: 10_000 },
        { id: "i1", venue: "ib", strategy: "sma_cross", params: { fast: 10, slow: 20 }, symbols: ["AAPL"], capital: 1 },
      ],
    };
    const child = spawnDaemon(await writeConfig(dir, config));
    try {
      const healthy = await until("a healthy daemon", () => get<Health>(dir, "/api/v1/system/health"), (h) => h.ok);
      assert.deepEqual(Object.keys(healthy.venues ?? {}), ["us", "ib"]);
      assert.equal(healthy.venues?.ib.phase, "ready");
      const status = await get<{ venues: Record<string, { venue: string; phase: string }> }>(dir, "/api/v1/status");
      assert.deepEqual(Object.entries(status!.venues).map(([k, v]) => [k, v.venue, v.phase]), [
        ["us", "us", "ready"],
        ["ib", "ib", "ready"],
      ]);
      fake.drop(true);
      const down = await until(
        "ib's adapter to lose TWS",
        () => get<Health>(dir, "/api/v1/system/health"),
        (h) => h.reasons.includes("venue ib: not reconciled"),
      );
      assert.equal(down.ok, false);
      assert.deepEqual(down.reasons, ["venue ib: not reconciled"], "us is well: only ib is named");
      assert.equal(down.venues?.us.phase, "ready");
      fake.up();
      await until("ib reconciled again", () => get<Health>(dir, "/api/v1/system/health"), (h) => h.ok);
      child.kill("SIGTERM");
      assert.equal((await child.status).code, 0);
    } finally {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.stderr.cancel().catch(() => {});
      await fake.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
