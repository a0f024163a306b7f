/**
 * sd_notify: the messages systemd gets on $NOTIFY_SOCKET (a Unix datagram socket stands in for systemd), the
 * systemd-notify fallback for an abstract socket, and the daemon itself: READY=1 once it serves, WATCHDOG=1 while it
 * runs, STOPPING=1 on SIGTERM.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createNotifier, startSystemdNotify, watchdogIntervalMs } from "../../../actors/system/sd_notify.ts";
import { CLI, DENO_JSON, paperConfig, writeConfig } from "../../live/helpers.ts";

interface Received {
  next(what: string): Promise<string>;
  close(): void;
}

/** systemd's side: a datagram socket at `path` and the messages that reach it, in order. */
function systemdSocket(path: string): Received {
  const conn = Deno.listenDatagram({ transport: "unixpacket", path });
  const messages: string[] = [];
  let wake = () => {};
  (async () => {
    try {
      for (;;) {
        const [data] = await conn.receive();
        messages.push(new TextDecoder().decode(data));
        wake();
      }
    } catch { /* closed */ }
  })();
  return {
    async next(what) {
      for (;;) {
        const i = messages.findIndex((m) => m.includes(what));
        if (i >= 0) return messages.splice(0, i + 1)[i];
        await new Promise<void>((r) => (wake = r));
      }
    },
    close: () => conn.close(),
  };
}

Deno.test("sd_notify: READY=1, then WATCHDOG=1 at half of WATCHDOG_USEC, then STOPPING=1, as datagrams", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sd-notify-" });
  const socket = systemdSocket(join(dir, "notify"));
  try {
    const env = (n: string) =>
      ({ NOTIFY_SOCKET: join(dir, "notify"), WATCHDOG_USEC: "400000" } as Record<string, string>)[n];
    assert.equal(watchdogIntervalMs(env), 200);
    assert.equal(watchdogIntervalMs(() => undefined), 10_000);
    const notifier = createNotifier(env);
    assert.equal(notifier.via, "datagram");
    const stop = startSystemdNotify(() => {}, env, notifier);
    assert.equal(await socket.next("READY=1"), "READY=1\nSTATUS=trading daemon running");
    assert.equal(await socket.next("WATCHDOG=1"), "WATCHDOG=1");
    assert.equal(await socket.next("WATCHDOG=1"), "WATCHDOG=1");
    await stop();
    assert.equal(await socket.next("STOPPING=1"), "STOPPING=1");
  } finally {
    socket.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sd_notify: nothing without NOTIFY_SOCKET; an abstract socket goes through systemd-notify", async () => {
  assert.equal(createNotifier(() => undefined).via, "none");
  const dir = await Deno.makeTempDir({ prefix: "sd-notify-cmd-" });
  try {
    // A stand-in for systemd-notify that records its arguments, one call per line.
    const fake = join(dir, "systemd-notify");
    await Deno.writeTextFile(fake, `#!/bin/sh\necho "$*" >> ${join(dir, "calls")}\n`, { mode: 0o755 });
    const notifier = createNotifier(
      (n) => (n === "NOTIFY_SOCKET" ? "@/org/freedesktop/systemd1/notify" : undefined),
      fake,
    );
    assert.equal(notifier.via, "systemd-notify");
    await notifier.notify("READY=1\nSTATUS=up");
    await notifier.notify("WATCHDOG=1");
    assert.equal(await Deno.readTextFile(join(dir, "calls")), "READY=1 STATUS=up\nWATCHDOG=1\n");
    // A failing systemd-notify is reported once, never thrown.
    const warnings: string[] = [];
    const broken = createNotifier((n) => (n === "NOTIFY_SOCKET" ? "@x" : undefined), "/bin/false");
    const stop = startSystemdNotify((msg) => warnings.push(msg), () => undefined, broken);
    await stop();
    assert.deepEqual(warnings, ["cannot notify systemd"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sd_notify: the daemon says READY=1 when it serves, pings the watchdog, and STOPPING=1 on SIGTERM", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sd-notify-daemon-" });
  const socket = systemdSocket(join(dir, "notify"));
  let child: Deno.ChildProcess | undefined;
  try {
    const config = await writeConfig(dir, paperConfig(dir, { exitAtEnd: false }));
    child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", DENO_JSON, CLI, "run", "--config", config, "--no-watchdog"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: { TRADEACTOR_LOG: "warn", NOTIFY_SOCKET: join(dir, "notify"), WATCHDOG_USEC: "200000" },
    }).spawn();
    await socket.next("READY=1");
    // READY=1 comes after the control endpoint is up: control.json is there.
    assert.ok(JSON.parse(await Deno.readTextFile(join(dir, "control.json"))).url);
    await socket.next("WATCHDOG=1");
    child.kill("SIGTERM");
    await socket.next("STOPPING=1");
    const out = await child.output();
    child = undefined;
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  } finally {
    if (child) {
      child.kill("SIGKILL");
      await child.output();
    }
    socket.close();
    await Deno.remove(dir, { recursive: true });
  }
});
