/** Passwords in storage URLs never reach an error message: the parser, the SQL store, the journal and its lock. */
import assert from "node:assert/strict";
import { parseStorageUrl, redactSecrets, redactUrl } from "../../storage/url.ts";
import { openDatabase } from "../../storage/db.ts";
import { openJournal } from "../../storage/journal/open.ts";
import { lockDaemon } from "../../actors/system/lock.ts";

const PW = "Sup3r-S3cret-pw";

Deno.test("redactUrl: the user's password and libpq's password parameters become ***", () => {
  assert.equal(redactUrl(`postgres://trader:${PW}@db:5432/x`), "postgres://trader:***@db:5432/x");
  assert.equal(
    redactUrl(`postgres://db/x?password=${PW}&sslmode=require`),
    "postgres://db/x?password=***&sslmode=require",
  );
  assert.equal(redactUrl(`postgres://db/x?sslpassword=${PW}`), "postgres://db/x?sslpassword=***");
  assert.equal(redactUrl("sqlite:/var/data/j.sqlite"), "sqlite:/var/data/j.sqlite");
  assert.equal(redactUrl("/var/data/j.sqlite"), "/var/data/j.sqlite");
  assert.ok(!redactUrl(`postgres://u:${PW}@bad host/x`).includes(PW), "unparseable URLs too");
  const message = `connect to postgres://u:${PW}@h/x failed (password ${PW} rejected)`;
  assert.equal(
    redactSecrets(message, `postgres://u:${PW}@h/x`),
    "connect to postgres://u:***@h/x failed (password *** rejected)",
  );
  assert.equal(redactSecrets(`auth failed: ${PW}`, `postgres://h/x?password=${PW}`), "auth failed: ***");
  const invalid = parseStorageUrl(`postgres://u:${PW}@h:99999999/x`);
  assert.ok(invalid.kind === "invalid" && !invalid.why.includes(PW));
});

for (
  const url of [
    `postgres://tradeactor:${PW}@127.0.0.1:1/test`,
    `postgres://postgres:${PW}@127.0.0.1:5432/no_such_database_here`,
    `postgres://127.0.0.1:1/test?password=${PW}`,
  ]
) {
  Deno.test(`storage errors keep the password out: ${redactUrl(url)}`, async () => {
    const seen: string[] = [];
    const attempt = async (what: string, open: () => Promise<unknown>) => {
      const err = await open().then(() => undefined, (e) => e as Error);
      assert.ok(err instanceof Error, `${what} should fail`);
      seen.push(`${what}: ${err.message}`);
    };
    await attempt("openDatabase", () => openDatabase({ url }));
    await attempt("openJournal", () => openJournal(url));
    const dir = await Deno.makeTempDir({ prefix: "redact-" });
    try {
      await attempt("lockDaemon", () => lockDaemon(dir, url));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    for (const line of seen) {
      assert.ok(!line.includes(PW), `a password in: ${line}`);
      assert.match(line, /127\.0\.0\.1/, `the message still says where: ${line}`);
    }
  });
}
