/** The daemon's side of quarantine: which tree events reach the guardian, and what a restarted daemon restores. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDatabase } from "../../../storage/db.ts";
import { createSqlJournal } from "../../../storage/journal/sql_journal.ts";
import {
  disabledStrategies,
  lifecycleOf,
  strategyIdOf,
  withRiskConfig,
} from "../../../actors/system/strategy_faults.ts";
import { buildLiveTree } from "../../../actors/system/live_tree.ts";
import { loadLiveConfig } from "../../../actors/system/live_config.ts";
import { paperConfig, writeConfig } from "../../live/helpers.ts";

Deno.test("strategy faults: only strategy actors' crashes, restarts and quarantines become guardian messages", () => {
  assert.equal(strategyIdOf("live/strategies/ma-goog"), "ma-goog");
  assert.equal(strategyIdOf("live/risk"), undefined);
  assert.equal(strategyIdOf("live/strategies"), undefined);
  assert.equal(strategyIdOf("live/strategies/a/b"), undefined);
  assert.deepEqual(lifecycleOf({ type: "crashed", path: "live/strategies/x", error: "boom" }), {
    type: "StrategyLifecycle",
    strategyId: "x",
    phase: "crashed",
    detail: "boom",
  });
  assert.deepEqual(lifecycleOf({ type: "quarantined", path: "live/strategies/x", reason: "6 restarts" }), {
    type: "StrategyLifecycle",
    strategyId: "x",
    phase: "quarantined",
    detail: "6 restarts",
  });
  assert.equal(lifecycleOf({ type: "restarted", path: "live/strategies/x", delayMs: 50 })?.phase, "restarted");
  assert.equal(lifecycleOf({ type: "crashed", path: "live/exchange", error: "boom" }), undefined);
  assert.equal(lifecycleOf({ type: "started", path: "live/strategies/x" }), undefined);
});

Deno.test("strategy faults: a restarted daemon restores the last disabled status of each configured strategy", async () => {
  const dir = await Deno.makeTempDir({ prefix: "strategy-faults-" });
  const journal = createSqlJournal(await openDatabase({ url: `sqlite:${join(dir, "j.sqlite")}` }), {
    closeDatabase: true,
  });
  const status = (n: number, strategy: Record<string, unknown>) => ({
    eventId: `e${n}`,
    stream: "risk",
    type: `strategy:${strategy.status}`,
    ts: n,
    payload: { decision: `strategy:${strategy.status}`, detail: "", strategy },
  });
  const lastBar = { symbol: "GOOG", ts: 86_400_000 };
  await journal.append([
    status(1, { strategyId: "a", status: "QUARANTINED", reason: "hung", since: 1, flatten: true, lastBar }),
    status(2, { strategyId: "b", status: "STOPPED", reason: "loss", since: 2, flatten: false }),
    status(3, { strategyId: "b", status: "ACTIVE", reason: "operator", since: 3 }),
    status(4, { strategyId: "gone", status: "STOPPED", reason: "x", since: 4, flatten: true }),
    { eventId: "e5", stream: "risk", type: "strategy:crashed", ts: 5, payload: { strategy: { strategyId: "c" } } },
    status(6, { strategyId: "c", status: "STOPPED", reason: "loss", since: 6, flatten: false }),
  ]);
  assert.deepEqual(await disabledStrategies(journal, ["a", "b", "c"]), {
    a: { status: "QUARANTINED", reason: "hung", since: 1, flatten: true, lastBar },
    c: { status: "STOPPED", reason: "loss", since: 6, flatten: false },
  });
  await journal.close();

  const config = await loadLiveConfig(await writeConfig(dir, paperConfig(dir)));
  const tree = buildLiveTree(config);
  withRiskConfig(tree, { disabledStrategies: { a: { status: "STOPPED" } } });
  const risk = tree.children.find((c) => c.id === "risk")!;
  assert.deepEqual((risk as { config: { disabledStrategies: unknown } }).config.disabledStrategies, {
    a: { status: "STOPPED" },
  });
  const strategies = tree.children.find((c) => c.id === "strategies")!;
  assert.equal(strategies.kind === "supervisor" && strategies.onExceeded, "quarantine");
  await Deno.remove(dir, { recursive: true });
});
