/**
 * The daemon will not expose its control endpoint unsafely: bound to anything but loopback it needs an admin token
 * (checked by `live check`, by `live run` before the watchdog starts, and by the daemon itself), and a token must
 * be long enough to be one.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadLiveConfig } from "../../actors/system/live_config.ts";
import { runDaemon } from "../../actors/system/daemon.ts";
import type { LogRecord } from "../../actors/runtime/mod.ts";
import { CLI, DENO_JSON, paperConfig, writeConfig } from "./helpers.ts";

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, CLI, ...args],
    stdout: "piped",
    stderr: "piped",
    env: { TRADEACTOR_CONTROL_TOKEN: "", TRADEACTOR_READ_TOKEN: "", ...env },
  }).output();
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: decode(out.stdout), stderr: decode(out.stderr) };
}

Deno.test("control security: a daemon on 0.0.0.0 without a token refuses to start, before anything runs", async () => {
  const dir = await Deno.makeTempDir({ prefix: "live-control-" });
  try {
    const dataDir = join(dir, "data");
    const path = await writeConfig(dir, paperConfig(dataDir, { control: { hostname: "0.0.0.0", port: 0 } }));
    const logs: LogRecord[] = [];
    const code = await runDaemon(await loadLiveConfig(path), { logSink: (r) => logs.push(r), env: () => undefined });
    assert.equal(code, 1);
    const error = logs.find((r) => r.level === "error");
    assert.match(String(error?.error), /"0\.0\.0\.0" is not a loopback address: set TRADEACTOR_CONTROL_TOKEN/);
    await assert.rejects(Deno.stat(dataDir), Deno.errors.NotFound, "nothing was created, nothing started");

    const check = await cli(["check", "--config", path]);
    assert.equal(check.code, 1);
    assert.match(check.stderr, /TRADEACTOR_CONTROL_TOKEN/);
    // Under the watchdog too: refused once, not restarted five times.
    const run = await cli(["run", "--config", path]);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /not a loopback address/);
    assert.doesNotMatch(run.stderr, /restarting daemon/);

    const short = await cli(["check", "--config", path], { TRADEACTOR_CONTROL_TOKEN: "secret" });
    assert.equal(short.code, 1);
    assert.match(short.stderr, /TRADEACTOR_CONTROL_TOKEN must be at least 16 printable characters/);
    const ok = await cli(["check", "--config", path], { TRADEACTOR_CONTROL_TOKEN: "0123456789abcdef0123" });
    assert.equal(ok.code, 0, ok.stderr);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
