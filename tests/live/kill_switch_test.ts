/**
 * The kill switch reaches a running daemon from the command line (`live kill`, through the control endpoint) and
 * by SIGUSR2: orders cancelled, positions flattened, trading HALTED, and the halt survives a restart. Health says
 * 200 while the daemon trades and 503 "halted" after; the command line's kill is journaled with who and why.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { CLI, DENO_JSON, journalCount, paperConfig, sleep, spawnDaemon, writeConfig } from "./helpers.ts";

interface Status {
  portfolio: { total: { positions: { qty: number }[] } };
  risk: { trading: string };
}

async function status(dir: string): Promise<Status | undefined> {
  try {
    const { url } = JSON.parse(await Deno.readTextFile(join(dir, "control.json")));
    const res = await fetch(`${url}/status`, { signal: AbortSignal.timeout(5_000) });
    return await res.json();
  } catch {
    return undefined;
  }
}

async function health(dir: string): Promise<{ code: number; reasons: string[] } | undefined> {
  try {
    const { url } = JSON.parse(await Deno.readTextFile(join(dir, "control.json")));
    const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
    return { code: res.status, reasons: (await res.json()).reasons };
  } catch {
    return undefined;
  }
}

/** The control calls journaled by the daemon: [type, who, why]. */
function controlEvents(dir: string): [string, string, string][] {
  const db = new DatabaseSync(join(dir, "journal.sqlite"), { readOnly: true });
  try {
    const rows = db.prepare("SELECT type, payload FROM journal_events WHERE stream = 'control' ORDER BY seq").all() as {
      type: string;
      payload: string;
    }[];
    return rows.map((r) => {
      const p = JSON.parse(r.payload);
      return [r.type, p.who, p.why];
    });
  } finally {
    db.close();
  }
}

async function until(what: string, check: () => Promise<boolean> | boolean, ms = 30_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// One daily bar every ~20 ms: slow enough to act on a running daemon, fast enough to trade.
const SPEED = 86_400_000 / 20;

async function killTest(trigger: (dir: string, child: Deno.ChildProcess, config: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "live-killswitch-" });
  const config = await writeConfig(
    dir,
    paperConfig(dir, {
      exitAtEnd: false,
      feed: { type: "replay", sources: [{ file: "/work/shared/data/backtesting_py/GOOG.csv" }], speed: SPEED },
    }),
  );
  const child = spawnDaemon(config);
  try {
    await until("a position", async () => ((await status(dir))?.portfolio.total.positions.length ?? 0) > 0);
    await until("a healthy daemon", async () => (await health(dir))?.code === 200);
    // The token the daemon generated (loopback, none in the environment) is readable by its owner only.
    assert.equal((await Deno.stat(join(dir, "control.json"))).mode! & 0o777, 0o600);
    await trigger(dir, child, config);
    await until("HALTED and flat", async () => {
      const s = await status(dir);
      return s?.risk.trading === "HALTED" && s.portfolio.total.positions.every((p) => p.qty === 0);
    });
    assert.deepEqual(await health(dir), { code: 503, reasons: ["halted"] });
    const frozen = journalCount(dir);
    assert.ok(frozen > 0);
    child.kill("SIGTERM");
    assert.equal((await child.status).code, 0);
    await child.stderr.cancel();
    // The halt survives a restart.
    const again = spawnDaemon(config);
    try {
      await until("the restarted daemon", async () => (await status(dir))?.risk.trading === "HALTED");
    } finally {
      again.kill("SIGTERM");
      await again.status;
      await again.stderr.cancel();
    }
  } finally {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test({
  name: "kill switch: `live kill` reaches the daemon through its control endpoint",
  sanitizeResources: false,
  fn: () =>
    killTest(async (dir, _child, config) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", DENO_JSON, CLI, "kill", "--config", config, "--reason", "test"],
        stdout: "piped",
        stderr: "piped",
      }).output();
      assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
      await until("the kill in the journal", () => controlEvents(dir).length > 0);
      assert.deepEqual(controlEvents(dir), [["control:kill", "admin", "test"]]);
    }),
});

Deno.test({
  name: "kill switch: SIGUSR2 triggers it (SIGUSR1 would open Deno's inspector)",
  sanitizeResources: false,
  fn: () =>
    killTest(async (_dir, child) => {
      await sleep(0);
      child.kill("SIGUSR2");
    }),
});
