/** Storage URLs by scheme: the accepted forms, and the typos that used to become SQLite files named after them. */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { openDatabase, StorageError } from "../../storage/db.ts";
import { parseStorageUrl } from "../../storage/url.ts";

Deno.test("storage url: sqlite, plain paths, postgres and redis parse by scheme", () => {
  const cases: [string, ReturnType<typeof parseStorageUrl>][] = [
    ["sqlite:/var/lib/x.sqlite", { kind: "sqlite", path: "/var/lib/x.sqlite" }],
    ["sqlite:///var/lib/x.sqlite", { kind: "sqlite", path: "/var/lib/x.sqlite" }],
    ["sqlite:data/x.sqlite", { kind: "sqlite", path: "data/x.sqlite" }],
    ["SQLite:x.sqlite", { kind: "sqlite", path: "x.sqlite" }],
    ["sqlite:", { kind: "sqlite", path: "" }],
    ["", { kind: "sqlite", path: "" }],
    ["./journal.sqlite", { kind: "sqlite", path: "./journal.sqlite" }],
    ["/abs/journal.sqlite", { kind: "sqlite", path: "/abs/journal.sqlite" }],
    ["C:\\data\\journal.sqlite", { kind: "sqlite", path: "C:\\data\\journal.sqlite" }],
    ["postgres://u@127.0.0.1:5432/test", { kind: "postgres", url: "postgres://u@127.0.0.1:5432/test" }],
    ["postgresql://u:pw@db/test", { kind: "postgres", url: "postgresql://u:pw@db/test" }],
    ["redis://127.0.0.1:6379", { kind: "redis", url: "redis://127.0.0.1:6379" }],
    ["rediss://cache:6380", { kind: "redis", url: "rediss://cache:6380" }],
  ];
  for (const [text, expected] of cases) assert.deepEqual(parseStorageUrl(text), expected, text);
});

Deno.test("storage url: other schemes are invalid and say which scheme, never the password", () => {
  for (
    const [text, why] of [
      ["mysql://x", /unsupported scheme "mysql:"/],
      ["http://example.com/db", /unsupported scheme "http:"/],
      ["postgress://u@h/db", /unsupported scheme "postgress:"/],
      ["file:///tmp/x.sqlite", /unsupported scheme "file:"/],
      ["postgres:u@h/db", /a postgres: URL starts with postgres:\/\//],
      ["postgres://u:s3cret@[::1/db", /not a valid postgres:\/\/ URL/],
    ] as const
  ) {
    const parsed = parseStorageUrl(text);
    assert.equal(parsed.kind, "invalid", text);
    assert.match(parsed.kind === "invalid" ? parsed.why : "", why, text);
    assert.doesNotMatch(parsed.kind === "invalid" ? parsed.why : "", /s3cret/);
  }
});

Deno.test("storage url: openDatabase refuses mysql:// and redis:// and creates no file", async () => {
  const dataDir = await Deno.makeTempDir();
  try {
    await assert.rejects(
      () => openDatabase({ url: "mysql://x", dataDir }),
      (err: unknown) => err instanceof StorageError && /unsupported scheme "mysql:".*sqlite:PATH/.test(err.message),
    );
    // What main did: a SQLite file at ./mysql:/x.
    assert.equal(existsSync("mysql:"), false);
    await assert.rejects(
      () => openDatabase({ url: "redis://127.0.0.1:6379", dataDir }),
      (err: unknown) => err instanceof StorageError && /Redis holds a journal/.test(err.message),
    );
    assert.deepEqual([...Deno.readDirSync(dataDir)], []);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("storage url: sqlite: URLs and plain paths open the same file", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "j.sqlite");
    const first = await openDatabase({ url: `sqlite:${file}` });
    assert.equal(first.location, file);
    await first.close();
    const second = await openDatabase({ url: file });
    assert.equal(second.dialect, "sqlite");
    assert.equal(second.location, file);
    await second.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
