/**
 * Crash safety end to end: a paper run on replayed GOOG daily bars is killed with SIGKILL at random points and
 * restarted, seven times; its fills and positions must equal an uninterrupted run's, and the paper venue (which
 * logs every submit it receives, durably) must never have received one client order id twice.
 */
import assert from "node:assert/strict";
import { runBacktest } from "../../backtest/engine.ts";
import { loadBars } from "../../storage/bars/mod.ts";
import {
  finished,
  GOOG,
  journalCount,
  paperConfig,
  readResult,
  seeded,
  sleep,
  spawnDaemon,
  venueSubmits,
  writeConfig,
} from "./helpers.ts";

const KILLS = 7;
const SMA_CROSS = new URL("../../strategies/sma_cross/strategy.ts", import.meta.url).href;
const DEADLINE_MS = 240_000;

async function runToEnd(dir: string): Promise<void> {
  const path = await writeConfig(dir, paperConfig(dir));
  const { code, stderr } = await finished(spawnDaemon(path));
  assert.equal(code, 0, stderr);
}

Deno.test({
  name: "paper daemon: SIGKILL at random points and restart gives the uninterrupted run's fills, no duplicate order",
  sanitizeResources: false,
  async fn() {
    const started = Date.now();
    const reference = await Deno.makeTempDir({ prefix: "live-ref-" });
    await runToEnd(reference);
    const expected = await readResult(reference);
    const total = journalCount(reference);
    assert.ok(expected.fills.length > 100, `the reference run should trade (got ${expected.fills.length} fills)`);
    // Lockstep makes the paper tree across Workers exactly the backtest of the same strategy and data.
    const { series } = await loadBars(GOOG, { symbol: "GOOG" });
    const backtest = await runBacktest({
      strategies: [{ id: "ma-goog", module: SMA_CROSS, params: { fast: 10, slow: 20 } }],
      data: [series],
      cash: 10_000,
      sim: {
        costs: { commission: { kind: "percent", rate: 0.002 }, slippage: { kind: "none" }, impact: { kind: "none" } },
      },
    });
    assert.equal(expected.portfolio.total.equity, backtest.record.equity.at(-1));

    const dir = await Deno.makeTempDir({ prefix: "live-kill-" });
    const path = await writeConfig(dir, paperConfig(dir));
    const random = seeded(42);
    // Kill points within the first 80 % of the run: on a loaded machine the poll below may see the journal late, and a
    // point near the end could let the run finish before the kill lands.
    const points = Array.from({ length: KILLS }, () => Math.floor(50 + random() * (total * 0.8 - 50))).sort((a, b) =>
      a - b
    );
    let kills = 0;
    for (const point of points) {
      const child = spawnDaemon(path);
      const exit = child.status;
      let exited = false;
      exit.then(() => (exited = true));
      // Progress-based kill point, plus a random extra delay so some kills land mid-step or mid-recovery.
      while (!exited && journalCount(dir) < point && Date.now() - started < DEADLINE_MS) await sleep(10);
      await sleep(Math.floor(random() * 50));
      if (!exited) {
        child.kill("SIGKILL");
        kills++;
        await exit;
        await child.stderr.cancel();
        continue;
      }
      // It ended by itself before the kill: only a finished run may do that (the final check below reads its result).
      const stderr = new TextDecoder().decode(await new Response(child.stderr).arrayBuffer());
      const status = await exit;
      assert.equal(
        status.code,
        0,
        `the daemon exited on its own between kills (code ${status.code}, signal ${status.signal}):\n${stderr}`,
      );
      break;
    }
    assert.ok(kills >= 4, `expected the daemon to be killed mid-run at least 4 times, got ${kills} kills`);
    await finished(spawnDaemon(path)).then(({ code, stderr }) => assert.equal(code, 0, stderr));

    const actual = await readResult(dir);
    assert.deepEqual(actual.fills, expected.fills);
    assert.deepEqual(actual.portfolio.total, expected.portfolio.total);
    const submits = venueSubmits(dir);
    assert.equal(submits.total, submits.distinct, "an order was sent to the venue twice");
    assert.equal(submits.distinct, venueSubmits(reference).distinct);
    await Deno.remove(reference, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  },
});
