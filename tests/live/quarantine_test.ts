/**
 * One bad strategy costs only itself, through the real daemon (paper venue, GOOG replayed in lockstep): beside a
 * healthy sma_cross, a strategy that throws on every bar is quarantined and flattened, one that throws once is
 * restarted and trades on, and one that loops forever costs exactly one process restart and comes back
 * quarantined. Strategies are sub-accounts at the paper venue, so the healthy one's fills must equal its fills alone.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, DENO_JSON, finished, paperConfig, spawnDaemon, writeConfig } from "./helpers.ts";

const HEALTHY = { id: "ma-goog", strategy: "sma_cross", params: { fast: 10, slow: 20 }, capital: 10_000 };
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
/** The adapter's warning when a bar's acknowledgements did not come in time: the bar clock stalled. */
const STALL = "no BarDone in time";

interface Fill {
  fillId: string;
  venueOrderId: string;
  clientOrderId: string;
  strategyId: string;
  side: string;
  qty: number;
  price: number;
  ts: number;
}
interface Run {
  code: number;
  stderr: string;
  dir: string;
  fills: Fill[];
  risk: {
    positions: { key: string; qty: number }[];
    strategies: Record<string, { status: string; reason?: string; actor?: string }>;
  };
}

/** Runs the daemon to the end of the replay, with the watchdog when asked (it then restarts a daemon that exits 75). */
async function run(bad?: Record<string, unknown>, watchdog = false): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "live-quarantine-" });
  const strategies = bad ? [HEALTHY, bad] : [HEALTHY];
  const venue = { type: "paper", name: "paper", initialCash: 10_000 * strategies.length, commission: 0.002 };
  const path = await writeConfig(dir, paperConfig(dir, { strategies, venue: { ...venue, defaultStep: 1 } }));
  const child = watchdog
    ? new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", DENO_JSON, CLI, "run", "--config", path],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: { TRADEACTOR_LOG: "warn" },
    }).spawn()
    : spawnDaemon(path);
  const { code, stderr } = await finished(child);
  const result = JSON.parse(await Deno.readTextFile(join(dir, "result.json")).catch(() => "{}"));
  return { code, stderr, dir, fills: result.fills ?? [], risk: result.risk };
}

/** A fill as the strategy sees it (venue-wide counters in fill and venue order ids depend on the other strategies). */
const own = (r: Run, strategyId: string) =>
  r.fills.filter((f) => f.strategyId === strategyId).map(({ fillId: _, venueOrderId: __, ...f }) => f);

function journal(dir: string, stream: string): { eventId: string; type: string; payload: Record<string, unknown> }[] {
  const db = new DatabaseSync(join(dir, "journal.sqlite"), { readOnly: true });
  try {
    const rows = db.prepare("SELECT event_id, type, payload FROM journal_events WHERE stream = ? ORDER BY seq")
      .all(stream) as { event_id: string; type: string; payload: string }[];
    return rows.map((r) => ({ eventId: r.event_id, type: r.type, payload: JSON.parse(r.payload) }));
  } finally {
    db.close();
  }
}

const position = (r: Run, strategyId: string) => r.risk.positions.find((p) => p.key === `${strategyId}/GOOG`)?.qty ?? 0;

let alone: Promise<Run> | undefined;
/** The healthy strategy by itself: the reference every run beside a bad one must match. */
function reference(): Promise<Run> {
  alone ??= run().then(async (r) => {
    assert.equal(r.code, 0, r.stderr);
    assert.ok(own(r, "ma-goog").length > 100, "the healthy strategy should trade");
    await Deno.remove(r.dir, { recursive: true });
    return r;
  });
  return alone;
}

const opts = { sanitizeResources: false, sanitizeOps: false };

Deno.test({
  name: "quarantine: a strategy throwing on every bar is quarantined alone; the bar clock never waits for it",
  ...opts,
  async fn() {
    const ref = await reference();
    const r = await run({ id: "bad", strategy: fixture("throw_every_bar"), params: { fast: 10, slow: 20, from: 200 } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stderr.includes(STALL), "the bar clock waited for the crashed strategy");
    assert.deepEqual(own(r, "ma-goog"), own(ref, "ma-goog"));
    const bad = r.risk.strategies.bad;
    assert.equal(bad.status, "QUARANTINED");
    assert.equal(bad.actor, "quarantined");
    assert.match(bad.reason!, /6 restarts within 60000 ms exceed the limit of 5/);
    // It traded before it broke; the default policy flattened what it held.
    const flatten = own(r, "bad").filter((f) => f.clientOrderId.startsWith("bad-flatten-"));
    assert.equal(flatten.length, 1);
    assert.equal(position(r, "bad"), 0);
    const risk = journal(r.dir, "risk");
    assert.equal(risk.filter((e) => e.type === "strategy:crashed").length, 6);
    assert.equal(risk.filter((e) => e.type === "strategy:QUARANTINED").length, 1);
    assert.ok(journal(r.dir, "alerts").some((a) => a.payload.message === "strategy QUARANTINED"));
    await Deno.remove(r.dir, { recursive: true });
  },
});

Deno.test({
  name: "quarantine: a strategy throwing once is restarted from its snapshot and trades on",
  ...opts,
  async fn() {
    const ref = await reference();
    const on = "2005-10-25";
    const r = await run({ id: "bad", strategy: fixture("throw_once"), params: { fast: 10, slow: 20, on } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stderr.includes(STALL), "the bar clock waited for the crashed strategy");
    assert.deepEqual(own(r, "ma-goog"), own(ref, "ma-goog"));
    assert.equal(r.risk.strategies.bad.status, "ACTIVE");
    assert.equal(r.risk.strategies.bad.actor, undefined);
    const crash = Date.parse(on);
    const fills = own(r, "bad");
    assert.ok(fills.some((f) => f.ts < crash) && fills.filter((f) => f.ts > crash).length > 50, "trades on");
    const risk = journal(r.dir, "risk");
    assert.deepEqual(risk.filter((e) => e.type.startsWith("strategy:")).map((e) => e.type), [
      "strategy:crashed",
      "strategy:restarted",
    ]);
    await Deno.remove(r.dir, { recursive: true });
  },
});

Deno.test({
  name: "quarantine: a strategy looping forever costs one process restart and comes back quarantined",
  ...opts,
  async fn() {
    const ref = await reference();
    const r = await run(
      { id: "bad", strategy: fixture("loop_forever"), params: { fast: 10, slow: 20, from: 200 } },
      true,
    );
    assert.equal(r.code, 0, r.stderr);
    const restarts = r.stderr.split("\n").filter((l) => l.includes('"restarting daemon"'));
    assert.equal(restarts.length, 1, r.stderr);
    assert.deepEqual(own(r, "ma-goog"), own(ref, "ma-goog"));
    const bad = r.risk.strategies.bad;
    assert.equal(bad.status, "QUARANTINED");
    assert.match(bad.reason!, /hung/);
    assert.equal(position(r, "bad"), 0);
    // Recorded by the daemon before it exited, then applied by the restarted one at the last bar it had handled.
    const risk = journal(r.dir, "risk");
    const hung = risk.find((e) => e.eventId.startsWith("daemon:hung:bad:"));
    assert.ok(hung, "the daemon did not journal the hung strategy");
    const lastBar = (hung.payload.strategy as { lastBar?: { ts: number } }).lastBar;
    assert.ok(lastBar && lastBar.ts > 0, "the record names the last bar the strategy handled");
    const restored = risk.filter((e) => String(e.payload.detail).endsWith("(restored after a restart)"));
    assert.equal(restored.length, 1);
    assert.ok(risk.indexOf(hung) < risk.indexOf(restored[0]));
    await Deno.remove(r.dir, { recursive: true });
  },
});
