/** `deno task live keys add|list|remove` as an operator runs it, stdin piped (key and secret as lines). */
import assert from "node:assert/strict";
import { join } from "node:path";
import { CLI, DENO_JSON, paperConfig } from "../live/helpers.ts";
import { keystorePath, openKeystore } from "../../actors/system/keystore.ts";

const PASS = "a passphrase for the test";

async function keys(args: string[], stdin: string, env: Record<string, string> = { TRADEACTOR_KEYS_PASSPHRASE: PASS }) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--config", DENO_JSON, CLI, "keys", ...args],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
    env: { TRADEACTOR_KEYS_PASSPHRASE: "", TRADEACTOR_KEYS_PASSPHRASE_FILE: "", ...env },
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const out = await child.output();
  return { code: out.code, stdout: new TextDecoder().decode(out.stdout), stderr: new TextDecoder().decode(out.stderr) };
}

Deno.test("live keys: add reads key and secret from stdin, list shows names only, remove deletes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "keys-cli-" });
  try {
    const add = await keys(["add", "binance", "--data-dir", dir], "the-api-key\nthe-api-secret\n");
    assert.equal(add.code, 0, add.stderr);
    assert.match(add.stdout, /stored key "binance"/);
    assert.ok(!(add.stdout + add.stderr).includes("the-api-secret"));
    const path = keystorePath(dir);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual(await (await openKeystore(path, PASS)).get("binance"), {
      apiKey: "the-api-key",
      secret: "the-api-secret",
    });

    await keys(["add", "ib", "--data-dir", dir], "k2\ns2\n");
    const list = await keys(["list", "--data-dir", dir], "", {});
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, "binance\nib\n");

    const wrong = await keys(["remove", "ib", "--data-dir", dir], "", { TRADEACTOR_KEYS_PASSPHRASE: "wrong one here" });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /wrong passphrase/);
    const removed = await keys(["remove", "ib", "--data-dir", dir], "");
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await keys(["list", "--data-dir", dir], "", {})).stdout, "binance\n");
    const missing = await keys(["remove", "ib", "--data-dir", dir], "");
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no key "ib"/);

    // Without a terminal the passphrase must come from the environment; a short stdin stores nothing.
    const noPass = await keys(["add", "x", "--data-dir", dir], "k\ns\n", {});
    assert.equal(noPass.code, 1);
    assert.match(noPass.stderr, /set TRADEACTOR_KEYS_PASSPHRASE/);
    const short = await keys(["add", "x", "--data-dir", dir], "only-the-key\n");
    assert.equal(short.code, 1);
    assert.match(short.stderr, /the API key and the secret are required \(nothing stored\)/);
    assert.equal((await keys(["list", "--data-dir", dir], "", {})).stdout, "binance\n");
    assert.equal((await keys(["add", "bad name", "--data-dir", dir], "k\ns\n")).code, 1);
    assert.equal((await keys(["add", "--data-dir", dir], "")).code, 2);

    // Through --config: the config's data directory.
    const config = join(dir, "live.json");
    await Deno.writeTextFile(config, JSON.stringify({ dataDir: "." }));
    assert.equal((await keys(["list", "--config", config], "", {})).stdout, "binance\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live keys: at a terminal the passphrase (twice), key and secret are asked for and never echoed", async (t) => {
  const hasScript = await new Deno.Command("script", { args: ["--version"], stdout: "null", stderr: "null" }).output()
    .then((o) => o.success, () => false);
  if (!hasScript) {
    await t.step({ name: "no pseudo-terminal here (util-linux script is not installed)", ignore: true, fn: () => {} });
    return;
  }
  const dir = await Deno.makeTempDir({ prefix: "keys-tty-" });
  try {
    const command = [
      Deno.execPath(),
      "run",
      "-A",
      "--config",
      DENO_JSON,
      CLI,
      "keys",
      "add",
      "binance",
      "--data-dir",
      dir,
    ]
      .map((a) => `'${a}'`).join(" ");
    const child = new Deno.Command("script", {
      args: ["-qec", command, "/dev/null"],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: { TRADEACTOR_KEYS_PASSPHRASE: "", TRADEACTOR_KEYS_PASSPHRASE_FILE: "", NO_COLOR: "1" },
    }).spawn();
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    const keys = child.stdin.getWriter();
    let screen = "";
    const answer = async (prompt: string, text: string) => {
      while (!screen.includes(prompt)) {
        const { value, done } = await reader.read();
        if (done) throw new Error(`no prompt "${prompt}" in:\n${screen}`);
        screen += value;
      }
      await keys.write(new TextEncoder().encode(`${text}\r`));
    };
    await answer("Key store passphrase: ", PASS);
    await answer("Again, to confirm: ", PASS);
    await answer("API key for binance: ", "tty-api-key");
    await answer("API secret for binance: ", "tty-api-secret");
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      screen += value;
    }
    await keys.close().catch(() => {});
    const status = await child.status;
    await child.stderr.cancel();
    assert.equal(status.code, 0, screen);
    assert.match(screen, /stored key "binance"/);
    for (const secret of [PASS, "tty-api-key", "tty-api-secret"]) {
      assert.ok(!screen.includes(secret), `${secret} echoed`);
    }
    assert.deepEqual(await (await openKeystore(keystorePath(dir), PASS)).get("binance"), {
      apiKey: "tty-api-key",
      secret: "tty-api-secret",
    });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("live keys: the daemon refuses to start on a wrong passphrase or an altered store, and says why", async () => {
  const dir = await Deno.makeTempDir({ prefix: "keys-daemon-" });
  try {
    await (await openKeystore(keystorePath(dir), PASS, { create: true })).put("binance", { apiKey: "k", secret: "s" });
    const config = join(dir, "live.json");
    await Deno.writeTextFile(
      config,
      JSON.stringify(paperConfig(dir, {
        mode: "live",
        venue: { type: "binance", name: "binance", apiUrl: "http://127.0.0.1:9", apiKey: "keystore:binance" },
      })),
    );
    const run = async (env: Record<string, string>) => {
      const out = await new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", DENO_JSON, CLI, "run", "--config", config, "--no-watchdog"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: { TRADEACTOR_KEYS_PASSPHRASE: "", TRADEACTOR_KEYS_PASSPHRASE_FILE: "", ...env },
      }).output();
      return { code: out.code, stderr: new TextDecoder().decode(out.stderr) };
    };
    const wrong = await run({ TRADEACTOR_KEYS_PASSPHRASE: "not the passphrase" });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /venue\.apiKey: Cannot unlock the key store .*keys\.json: wrong passphrase/);
    const locked = await run({});
    assert.equal(locked.code, 1);
    assert.match(locked.stderr, /venue\.apiKey: the key store is locked: set TRADEACTOR_KEYS_PASSPHRASE/);
    // One byte of the sealed entry changed: the GCM tag no longer verifies.
    const doc = JSON.parse(await Deno.readTextFile(keystorePath(dir)));
    const data = doc.entries.binance.data as string;
    doc.entries.binance.data = (data[0] === "A" ? "B" : "A") + data.slice(1);
    await Deno.writeTextFile(keystorePath(dir), JSON.stringify(doc), { mode: 0o600 });
    const altered = await run({ TRADEACTOR_KEYS_PASSPHRASE: PASS });
    assert.equal(altered.code, 1);
    assert.match(
      altered.stderr,
      /venue\.apiKey: The key "binance" in .* fails its integrity check: the file was altered/,
    );
    // Nothing started: no control endpoint was published.
    await assert.rejects(() => Deno.stat(join(dir, "control.json")), Deno.errors.NotFound);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
