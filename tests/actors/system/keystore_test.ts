/** The encrypted key store: round trip, wrong passphrase, tampering caught by the GCM tag, file modes, the config. */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  KeystoreError,
  keystorePath,
  listKeyNames,
  openKeystore,
  passphraseFromEnv,
  PBKDF2_ITERATIONS,
} from "../../../actors/system/keystore.ts";
import { resolveLiveConfig } from "../../../actors/system/live_config.ts";
import { LiveConfigError } from "../../../actors/system/config_fields.ts";
import { paperConfig } from "../../live/helpers.ts";

const PASS = "correct horse battery staple";
const KEY = { apiKey: "AKIA-test-key-0123456789", secret: "s3cr3t-value-that-must-not-show" };

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await Deno.makeTempDir({ prefix: "keystore-test-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("keystore: a key put is the key got, after reopening; the file holds neither key nor secret", () =>
  withDir(async (dir) => {
    const path = keystorePath(dir);
    const store = await openKeystore(path, PASS, { create: true });
    await store.put("binance", KEY);
    await store.put("binance-test", { apiKey: "other", secret: "other-secret" });
    const again = await openKeystore(path, PASS);
    assert.deepEqual(again.names(), ["binance", "binance-test"]);
    assert.deepEqual(await again.get("binance"), KEY);
    const text = await Deno.readTextFile(path);
    assert.ok(!text.includes(KEY.apiKey) && !text.includes(KEY.secret) && !text.includes(PASS));
    const doc = JSON.parse(text);
    assert.equal(doc.version, 1);
    assert.equal(doc.kdf.iterations, PBKDF2_ITERATIONS);
    assert.ok(doc.kdf.iterations >= 600_000);
    assert.equal(atob(doc.kdf.salt).length, 16);
    // A fresh 96-bit IV per entry.
    assert.equal(atob(doc.entries.binance.iv).length, 12);
    assert.notEqual(doc.entries.binance.iv, doc.entries["binance-test"].iv);
    assert.equal((await Deno.stat(path)).mode! & 0o777, 0o600);
    assert.deepEqual(await listKeyNames(path), ["binance", "binance-test"]);
    assert.equal(await again.remove("binance-test"), true);
    assert.equal(await again.remove("binance-test"), false);
    assert.deepEqual((await openKeystore(path, PASS)).names(), ["binance"]);
  }));

Deno.test("keystore: a wrong passphrase is refused as such", () =>
  withDir(async (dir) => {
    const path = keystorePath(dir);
    await (await openKeystore(path, PASS, { create: true })).put("binance", KEY);
    await assert.rejects(() => openKeystore(path, "wrong passphrase!!"), (err: Error) => {
      assert.ok(err instanceof KeystoreError);
      assert.match(err.message, /wrong passphrase/);
      return true;
    });
  }));

Deno.test("keystore: a changed ciphertext, IV, swapped entries or a weakened header are detected", () =>
  withDir(async (dir) => {
    const path = keystorePath(dir);
    const store = await openKeystore(path, PASS, { create: true });
    await store.put("a", KEY);
    await store.put("b", { apiKey: "b-key", secret: "b-secret" });
    const original = JSON.parse(await Deno.readTextFile(path));
    const write = (doc: unknown) => Deno.writeTextFile(path, JSON.stringify(doc), { mode: 0o600 });
    const flip = (b64: string) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      bytes[bytes.length - 1] ^= 1; // the last byte is the GCM tag's
      return btoa(String.fromCharCode(...bytes));
    };
    const tampered = [
      {
        ...original,
        entries: { ...original.entries, a: { ...original.entries.a, data: flip(original.entries.a.data) } },
      },
      { ...original, entries: { ...original.entries, a: { ...original.entries.a, iv: flip(original.entries.a.iv) } } },
      { ...original, entries: { a: original.entries.b, b: original.entries.a } },
    ];
    for (const doc of tampered) {
      await write(doc);
      const reopened = await openKeystore(path, PASS);
      await assert.rejects(() => reopened.get("a"), /"a" .* fails its integrity check: the file was altered/);
    }
    await write({ ...original, kdf: { ...original.kdf, iterations: 1000 } });
    await assert.rejects(() => openKeystore(path, PASS), /damaged or weakened/);
    await write({ ...original, kdf: { ...original.kdf, iterations: 600_001 } });
    await assert.rejects(() => openKeystore(path, PASS), /wrong passphrase \(or its header was altered\)/);
    await write({ ...original, version: 2 });
    await assert.rejects(() => openKeystore(path, PASS), /format version 2, this program reads 1/);
    await write(original);
    assert.deepEqual(await (await openKeystore(path, PASS)).get("a"), KEY);
  }));

Deno.test("keystore: a store or passphrase file others can read is refused", () =>
  withDir(async (dir) => {
    const path = keystorePath(dir);
    await (await openKeystore(path, PASS, { create: true })).put("binance", KEY);
    await Deno.chmod(path, 0o644);
    await assert.rejects(() => openKeystore(path, PASS), /readable by others \(mode 0644\): chmod 600/);
    await Deno.chmod(path, 0o600);
    const file = join(dir, "pass");
    await Deno.writeTextFile(file, `${PASS}\n`, { mode: 0o640 });
    await Deno.chmod(file, 0o640);
    const env = (name: string) => (name === "TRADEACTOR_KEYS_PASSPHRASE_FILE" ? file : undefined);
    await assert.rejects(() => passphraseFromEnv(env), /passphrase file .* readable by others \(mode 0640\)/);
    await Deno.chmod(file, 0o600);
    assert.equal(await passphraseFromEnv(env), PASS);
    await assert.rejects(() => openKeystore(join(dir, "none.json"), PASS), /No key store at/);
    await assert.rejects(() => openKeystore(join(dir, "short.json"), "short", { create: true }), /at least 12/);
  }));

Deno.test("keystore: the venue's keystore:NAME is unlocked at config time; a wrong passphrase refuses the config", () =>
  withDir(async (dir) => {
    await (await openKeystore(keystorePath(dir), PASS, { create: true })).put("binance", KEY);
    const raw = paperConfig(dir, {
      mode: undefined,
      venue: { type: "binance", name: "binance", apiUrl: "http://127.0.0.1:9", apiKey: "keystore:binance" },
    });
    const env = (vars: Record<string, string>) => (name: string) => vars[name];
    const config = await resolveLiveConfig(raw, { env: env({ TRADEACTOR_KEYS_PASSPHRASE: PASS }) });
    assert.equal(config.mode, "live", "a stored key makes the daemon live, as keys in the environment do");
    assert.ok(config.venue.type === "binance");
    assert.equal(config.venue.apiKey, KEY.apiKey);
    assert.equal(config.venue.secret, KEY.secret);
    const problem = async (vars: Record<string, string>, venue: Record<string, unknown> = {}) => {
      const bad = { ...raw, venue: { ...(raw.venue as object), ...venue } };
      const err = await resolveLiveConfig(bad, { env: env(vars) }).then(() => undefined, (e) => e);
      assert.ok(err instanceof LiveConfigError, String(err));
      return err.problems.map((p) => `${p.field}: ${p.why}`).join("\n");
    };
    assert.match(
      await problem({ TRADEACTOR_KEYS_PASSPHRASE: "not the passphrase" }),
      /venue\.apiKey: .*wrong passphrase/,
    );
    assert.match(await problem({}), /venue\.apiKey: the key store is locked: set TRADEACTOR_KEYS_PASSPHRASE/);
    assert.match(await problem({ TRADEACTOR_KEYS_PASSPHRASE: PASS }, { apiKey: "keystore:nope" }), /No key "nope"/);
    assert.match(await problem({}, { apiKey: "AKIAPLAINKEY" }), /venue\.apiKey: must be "keystore:NAME"/);
    assert.match(
      await problem({ TRADEACTOR_KEYS_PASSPHRASE: PASS }, { apiKeyEnv: "K" }),
      /venue\.apiKeyEnv: not with venue\.apiKey/,
    );
    // A paper run does not need the store unlocked.
    const paper = await resolveLiveConfig(raw, { env: env({}), paper: true });
    assert.equal(paper.mode, "paper");
  }));
