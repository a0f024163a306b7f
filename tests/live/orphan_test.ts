/**
 * The orphan scenario: `live run` under the watchdog, the watchdog killed with SIGKILL mid-run (as when `deno task`
 * and the watchdog die but the daemon child does not), then the same command again. The daemon child must stop by
 * itself (its watchdog's pipe closed), so the second start is the only daemon: the paper venue (which logs every submit
 * it receives) must never see one client order id twice, and the fills must be those of an uninterrupted run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LOCK_FILE, readHolder, tryLockDataDir } from "../../actors/system/lock.ts";
import {
  finished,
  journalCount,
  paperConfig,
  readResult,
  sleep,
  spawnDaemon,
  spawnUnderWatchdog,
  venueSubmits,
  writeConfig,
} from "./helpers.ts";

const HANG_GUARD_MS = 120_000;
// Daily bars at ~5 ms each: the run lasts several seconds, so the kill lands while it trades.
const SPEED = 86_400_000 / 5;

function guard<T>(what: string, promise: Promise<T>): Promise<T> {
  let id: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    id = setTimeout(() => reject(new Error(`hang guard: ${what}`)), HANG_GUARD_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(id));
}

Deno.test({
  name: "orphan daemon: SIGKILL of the watchdog stops its daemon; the restart sends no order twice, same fills",
  sanitizeResources: false,
  async fn() {
    const reference = await Deno.makeTempDir({ prefix: "live-orphan-ref-" });
    const referencePath = await writeConfig(reference, paperConfig(reference));
    const ref = await finished(spawnDaemon(referencePath));
    assert.equal(ref.code, 0, ref.stderr);
    const expected = await readResult(reference);
    assert.ok(expected.fills.length > 100, `the reference run should trade (got ${expected.fills.length} fills)`);

    const dir = await Deno.makeTempDir({ prefix: "live-orphan-" });
    const config = paperConfig(dir);
    const path = await writeConfig(dir, { ...config, feed: { ...(config.feed as object), speed: SPEED } });
    const watchdog = spawnUnderWatchdog(path);
    // The daemon child inherits this pipe: it reaches EOF only when the watchdog and the daemon have both exited.
    const stderr = new Response(watchdog.stderr).text();
    let watchdogExited = false;
    watchdog.status.then(() => (watchdogExited = true));
    await guard(
      "the daemon to trade",
      (async () => {
        while (journalCount(dir) < 300 || (await readHolder(join(dir, LOCK_FILE)))?.control === undefined) {
          assert.ok(!watchdogExited, "the first run ended before it could be killed");
          await sleep(20);
        }
      })(),
    );
    const daemon = await readHolder(join(dir, LOCK_FILE));
    assert.ok(daemon && daemon.pid !== watchdog.pid, "the daemon should be the watchdog's child, not the watchdog");

    watchdog.kill("SIGKILL");
    await watchdog.status;
    const orphanLog = await guard("the orphaned daemon to exit by itself", stderr);
    assert.match(orphanLog, /the watchdog is gone; stopping/);
    const free = await tryLockDataDir(dir);
    assert.equal(free.kind, "acquired", "the orphan's lock should be gone with it");
    if (free.kind === "acquired") free.lock.release();
    await assert.rejects(Deno.stat(join(dir, "result.json")), "the first run should have been stopped mid-run");
    const interrupted = venueSubmits(dir);
    assert.ok(interrupted.distinct > 0 && interrupted.distinct < venueSubmits(reference).distinct);

    const again = await guard("the second run to finish", finished(spawnUnderWatchdog(path)));
    assert.equal(again.code, 0, again.stderr);
    const submits = venueSubmits(dir);
    console.log(`orphan scenario: ${submits.total} submits for ${submits.distinct} client order ids`);
    assert.equal(submits.total, submits.distinct, "an order was sent to the venue twice");
    assert.equal(submits.distinct, venueSubmits(reference).distinct);
    const actual = await readResult(dir);
    assert.deepEqual(actual.fills, expected.fills);
    assert.deepEqual(actual.portfolio.total, expected.portfolio.total);
    await Deno.remove(reference, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  },
});
