/**
 * One daemon per data directory, through the command line: while one daemon runs, a second one on the same data
 * directory refuses to start (exit 3, the holder named), also under the watchdog, which must not restart it; once the
 * first has stopped, the second starts and finishes, and the venue never saw an order twice.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { LOCK_FILE, readHolder } from "../../actors/system/lock.ts";
import { EXIT_LOCKED } from "../../actors/system/watchdog.ts";
import {
  finished,
  paperConfig,
  readResult,
  sleep,
  spawnDaemon,
  spawnUnderWatchdog,
  venueSubmits,
  writeConfig,
} from "./helpers.ts";

const HANG_GUARD_MS = 120_000;

Deno.test({
  name: "single daemon: a second daemon on the data directory refuses, naming the holder; starts after it stops",
  sanitizeResources: false,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-lock-" });
    const config = paperConfig(dir);
    // Slow enough to be still running while the others try; it is stopped long before its end.
    const slow = await writeConfig(dir, { ...config, feed: { ...(config.feed as object), speed: 86_400_000 / 20 } });
    const first = spawnDaemon(slow);
    const firstStderr = new Response(first.stderr).text();
    const deadline = Date.now() + HANG_GUARD_MS;
    let holder = await readHolder(join(dir, LOCK_FILE));
    while (holder?.control === undefined) {
      assert.ok(Date.now() < deadline, "hang guard: the first daemon never served its control endpoint");
      await sleep(20);
      holder = await readHolder(join(dir, LOCK_FILE));
    }
    assert.equal(holder.pid, first.pid);

    const second = await finished(spawnDaemon(slow));
    assert.equal(second.code, EXIT_LOCKED, second.stderr);
    assert.match(second.stderr, /another daemon holds the data directory/);
    assert.ok(second.stderr.includes(`PID ${first.pid} on host ${holder.hostname} since ${holder.since}`));
    assert.ok(second.stderr.includes(`control ${holder.control}`), second.stderr);

    const watched = await finished(spawnUnderWatchdog(slow));
    assert.equal(watched.code, EXIT_LOCKED, watched.stderr);
    assert.match(watched.stderr, /not restarting/);
    assert.doesNotMatch(watched.stderr, /restarting daemon/);

    first.kill("SIGTERM");
    assert.equal((await first.status).code, 0, await firstStderr);
    const fast = await writeConfig(dir, config);
    const after = await finished(spawnDaemon(fast));
    assert.equal(after.code, 0, after.stderr);
    const submits = venueSubmits(dir);
    assert.equal(submits.total, submits.distinct, "an order was sent to the venue twice");
    assert.equal((await readResult(dir)).fills.length > 100, true);
    await Deno.remove(dir, { recursive: true });
  },
});
