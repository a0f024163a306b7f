import assert from "node:assert/strict";
import { EXIT_LOCKED, runWatchdog, WATCHDOG_STDIN_ENV } from "../../../actors/system/watchdog.ts";

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

Deno.test("watchdog: a daemon refused the data directory lock is not restarted", async () => {
  const { result, runs } = await watch("locked");
  assert.equal(result.exitCode, EXIT_LOCKED);
  assert.equal(result.restarts, 0);
  assert.equal(runs, 1);
});

const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
const HANG_GUARD_MS = 60_000;

async function fileWhen(path: string): Promise<string> {
  const deadline = Date.now() + HANG_GUARD_MS;
  for (;;) {
    const text = await Deno.readTextFile(path).catch(() => undefined);
    if (text !== undefined && text !== "") return text;
    if (Date.now() > deadline) throw new Error(`hang guard: ${path} never appeared`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** shell → watchdog → daemon, as `deno task live` runs them; the shell stays the watchdog's parent. */
async function launch(dir: string) {
  const shell = new Deno.Command("sh", {
    args: ["-c", `"${Deno.execPath()}" run -A "${FIXTURES}watchdog_host.ts" "${dir}"; true`],
    stdin: "null",
  }).spawn();
  const watchdogPid = Number(await fileWhen(`${dir}/watchdog-pid`));
  const daemonPid = Number(await fileWhen(`${dir}/daemon-pid`));
  return { shell, watchdogPid, daemonPid };
}

Deno.test("watchdog: the daemon stops by itself when its watchdog is killed with SIGKILL", async () => {
  const dir = await Deno.makeTempDir();
  const { shell, watchdogPid } = await launch(dir);
  Deno.kill(watchdogPid, "SIGKILL");
  // Its stdin pipe closed with the watchdog: nobody signalled it.
  assert.equal(await fileWhen(`${dir}/daemon-stopped`), "watchdog gone");
  await shell.status;
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchdog: it stops the daemon and exits when its own parent is killed with SIGKILL", async () => {
  const dir = await Deno.makeTempDir();
  const { shell } = await launch(dir);
  shell.kill("SIGKILL");
  await shell.status;
  assert.equal(await fileWhen(`${dir}/daemon-stopped`), "SIGTERM");
  const result = JSON.parse(await fileWhen(`${dir}/watchdog-exited`));
  assert.equal(result.restarts, 0);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("watchdog pipe: read only under a watchdog; EOF there calls back, and without one nothing holds the loop", async () => {
  const dir = await Deno.makeTempDir();
  const run = (env: Record<string, string>) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", `${FIXTURES}stdin_watch.ts`, dir],
      stdin: "piped",
      env,
    }).spawn();
  // No watchdog: the process ends by itself although its stdin stays open.
  const alone = run({});
  const aloneStatus = await alone.status;
  assert.equal(aloneStatus.code, 0);
  assert.equal(await Deno.readTextFile(`${dir}/gone`).catch(() => "absent"), "absent");
  await alone.stdin.close();

  const watched = run({ [WATCHDOG_STDIN_ENV]: "1" });
  await watched.stdin.close();
  assert.equal((await watched.status).code, 0);
  assert.equal(await Deno.readTextFile(`${dir}/gone`), "stdin closed");
  await Deno.remove(dir, { recursive: true });
});
