import assert from "node:assert/strict";
import { runWatchdog } from "../../../actors/system/watchdog.ts";

const DAEMON = new URL("./fixtures/hang_daemon.ts", import.meta.url).pathname;

async function watch(mode: string) {
  const dir = await Deno.makeTempDir();
  const result = await runWatchdog({
    command: [Deno.execPath(), "run", "-A", "--unstable-worker-options", DAEMON, dir, mode],
    heartbeatFile: `${dir}/heartbeat`,
    heartbeatTimeoutMs: 1_500,
    maxRestarts: 3,
    windowMs: 60_000,
    log: () => {},
  });
  const runs = Number(await Deno.readTextFile(`${dir}/runs`));
  const count = Number(await Deno.readTextFile(`${dir}/result`).catch(() => "NaN"));
  await Deno.remove(dir, { recursive: true });
  return { result, runs, count };
}

Deno.test("watchdog: a hung Worker actor ends in a process restart that recovers from the snapshot", async () => {
  const { result, runs, count } = await watch("actor-hang");
  assert.equal(result.exitCode, 0);
  assert.equal(result.restarts, 1);
  assert.equal(runs, 2);
  assert.equal(count, 42); // 41 from the snapshot of run 1, +1 in run 2
});

Deno.test("watchdog: a daemon whose main thread hangs is killed for silence and restarted", async () => {
  const { result, runs, count } = await watch("main-hang");
  assert.equal(result.killedForSilence, 1);
  assert.equal(result.restarts, 1);
  assert.equal(runs, 2);
  assert.equal(count, 1);
});
