/**
 * The risk limits on paper, through the real daemon (Workers, the paper venue, the replay feed): two strategies
 * that place (and modify) random orders of every kind on GOOG must never hold a position beyond the account's limit, summed
 * over strategies, nor beyond their own. (tests/actors/risk_guardian/limits_property_test.ts tries many more cases in-process.)
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openDatabase } from "../../storage/db.ts";
import { createSqlJournal } from "../../storage/journal/sql_journal.ts";
import { finished, paperConfig, readResult, spawnDaemon, writeConfig } from "./helpers.ts";

const RANDOM = fileURLToPath(new URL("../actors/risk_guardian/fixtures/random_strategy.ts", import.meta.url));
const LIMIT = 25;
const OWN_LIMIT = 15;

function riskDecisions(dataDir: string, type: string): number {
  const db = new DatabaseSync(join(dataDir, "journal.sqlite"), { readOnly: true });
  try {
    const row = db.prepare("SELECT COUNT(*) AS n FROM journal_events WHERE stream = 'risk' AND type = ?").get(type);
    return Number((row as { n: number }).n);
  } finally {
    db.close();
  }
}

function venueEvents(dataDir: string, type: string): number {
  const db = new DatabaseSync(join(dataDir, "journal.sqlite"), { readOnly: true });
  try {
    const row = db.prepare("SELECT COUNT(*) AS n FROM journal_events WHERE stream LIKE 'venue:%' AND type = ?")
      .get(type);
    return Number((row as { n: number }).n);
  } finally {
    db.close();
  }
}

Deno.test({
  name: "paper daemon: random orders of two strategies never pass the account's or their own position limit",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-limits-" });
    const strategy = (id: string, seed: number) => ({
      id,
      strategy: RANDOM,
      params: { seed, maxQty: 20, activity: 0.5 },
      capital: 50_000,
      limits: { maxPositionQty: OWN_LIMIT },
    });
    const config = paperConfig(dir, {
      venue: { type: "paper", name: "paper", initialCash: 100_000, commission: 0.001, defaultStep: 1 },
      strategies: [strategy("r1", 11), strategy("r2", 12)],
      risk: { maxPositionQty: LIMIT, maxOrderNotional: 12_000 },
    });
    config.feed = { ...config.feed as object, limit: 800 };
    const { code, stderr } = await finished(spawnDaemon(await writeConfig(dir, config)));
    assert.equal(code, 0, stderr);
    const { fills } = await readResult(dir) as unknown as {
      fills: { strategyId: string; side: string; qty: number }[];
    };
    const held = new Map<string, number>();
    let worst = 0;
    let worstOwn = 0;
    for (const f of fills) {
      const own = (held.get(f.strategyId) ?? 0) + (f.side === "buy" ? f.qty : -f.qty);
      held.set(f.strategyId, own);
      worstOwn = Math.max(worstOwn, Math.abs(own));
      const account = [...held.values()].reduce((n, q) => n + Math.abs(q), 0);
      worst = Math.max(worst, account);
    }
    assert.ok(worst <= LIMIT, `the account held ${worst} GOOG, beyond ${LIMIT}`);
    assert.ok(worstOwn <= OWN_LIMIT, `a strategy held ${worstOwn} GOOG, beyond its own ${OWN_LIMIT}`);
    // Exercised, not vacuous: both traded, and the guardian had to deny or cap orders to stay inside.
    assert.ok(fills.length > 100, `only ${fills.length} fills`);
    assert.ok(worst >= LIMIT - 5, `never came near the limit (max ${worst})`);
    assert.ok(riskDecisions(dir, "deny") > 10, "the guardian denied nothing");
    // The strategies also modify their orders (bigger, elsewhere) and their trades' exits: through the Workers, the
    // guardian passed some, denied some, and the paper venue's answers were journaled.
    assert.ok(riskDecisions(dir, "modify") > 0, "no modify passed the guardian");
    assert.ok(riskDecisions(dir, "modify:deny") > 0, "no modify was denied");
    assert.ok(venueEvents(dir, "OrderModified") > 0, "the venue journaled no OrderModified");
  },
});

Deno.test({
  name: "paper daemon: limits changed while an earlier run traded are back in force after a restart",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-limits-restart-" });
    // What the risk guardian journals for a SetLimits: here, an earlier run lowered the position limit to 0.
    const database = await openDatabase({ url: join(dir, "journal.sqlite") });
    await createSqlJournal(database).append([{
      eventId: "earlier-run:limits",
      stream: "risk",
      type: "limits",
      ts: 0,
      payload: {
        decision: "limits",
        scope: { kind: "account" },
        patch: { maxPositionQty: 0, maxOrderNotional: null },
        limits: { maxPositionQty: 0, maxOrdersPerMinute: 50 },
        by: "operator",
      },
    }]);
    await database.close();
    // The file was edited since: its maxOrdersPerMinute (not changed at run time) is the one in force.
    const config = paperConfig(dir, {
      risk: { maxPositionQty: 1_000, maxOrdersPerMinute: 100_000, maxOrderNotional: 1e9 },
    });
    config.feed = { ...config.feed as object, limit: 300 };
    const { code, stderr } = await finished(spawnDaemon(await writeConfig(dir, config)));
    assert.equal(code, 0, stderr);
    const result = await readResult(dir) as unknown as { fills: unknown[]; risk: { limits: Record<string, number> } };
    // The journaled changes win for the fields they set (one set, one removed); the file's other limits stay.
    assert.deepEqual(result.risk.limits, { maxPositionQty: 0, maxOrdersPerMinute: 100_000 });
    assert.equal(result.fills.length, 0);
    assert.ok(riskDecisions(dir, "deny") > 0, "the strategy's entries were denied");
  },
});
