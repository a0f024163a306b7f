import assert from "node:assert/strict";
import { join } from "node:path";
import { LOCK_FILE, lockDaemon, readHolder, tryLockDataDir } from "../../../actors/system/lock.ts";
import { PG_URL, uniqueName } from "../../storage/services.ts";

const HOLDER = new URL("./fixtures/lock_holder.ts", import.meta.url).pathname;
const HANG_GUARD_MS = 60_000;

/** A PostgreSQL URL whose journal lives in a schema of its own, so parallel runs never share a lock key. */
const pgJournal = (schema: string) => `${PG_URL}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;

async function until(what: string, test: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + HANG_GUARD_MS;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`hang guard: still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A process holding the locks, as a daemon would; resolves once it holds them. */
async function spawnHolder(dataDir: string, db?: string): Promise<Deno.ChildProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", HOLDER, dataDir, ...(db ? [db] : [])],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  // Read the pipe itself (not through pipeThrough, which would keep it locked): the test cancels it later.
  const reader = child.stdout.getReader();
  const { value } = await reader.read();
  reader.releaseLock();
  assert.equal(new TextDecoder().decode(value).trim(), "locked", "the holder should have taken the lock");
  return child;
}

Deno.test("lock: a second daemon on the data directory is refused with the holder named; free again after", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lock-" });
  const first = await tryLockDataDir(dir, "first daemon");
  assert.equal(first.kind, "acquired");
  if (first.kind !== "acquired") return;
  await first.lock.update({ control: "http://127.0.0.1:8787" });

  // flock belongs to the open file, so even a second open in this very process is refused.
  const second = await lockDaemon(dir, `sqlite:${join(dir, "journal.sqlite")}`);
  assert.equal(second.kind, "refused");
  if (second.kind !== "refused") return;
  assert.match(second.message, new RegExp(`PID ${Deno.pid} on host ${Deno.hostname()} since \\d{4}-`));
  assert.match(second.message, /control http:\/\/127\.0\.0\.1:8787/);
  assert.match(second.message, /command: first daemon/);
  assert.ok(second.message.includes(dir), second.message);

  first.lock.release();
  const third = await lockDaemon(dir, `sqlite:${join(dir, "journal.sqlite")}`);
  assert.equal(third.kind, "acquired");
  if (third.kind === "acquired") {
    const holder = await readHolder(join(dir, LOCK_FILE));
    assert.equal(holder?.pid, Deno.pid);
    assert.equal(holder?.control, undefined, "the new holder's file must not keep the old holder's control URL");
    await third.lock.release();
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("lock: kill -9 of the holder leaves no stale lock", async () => {
  const dir = await Deno.makeTempDir({ prefix: "lock-kill-" });
  const holder = await spawnHolder(dir);
  const refused = await tryLockDataDir(dir);
  assert.equal(refused.kind, "busy");
  if (refused.kind === "busy") assert.equal(refused.holder?.pid, holder.pid);

  holder.kill("SIGKILL");
  await holder.status;
  await holder.stdout.cancel();
  // The kernel drops the lock with the process: free at once, although the file (and its stale content) remains.
  const after = await tryLockDataDir(dir);
  assert.equal(after.kind, "acquired");
  if (after.kind === "acquired") after.lock.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test({
  name: "lock: two daemons with different data directories on one PostgreSQL journal: the second is refused",
  ignore: !PG_URL,
  async fn() {
    const db = pgJournal(uniqueName("lock"));
    const [dirA, dirB] = [await Deno.makeTempDir(), await Deno.makeTempDir()];
    const holder = await spawnHolder(dirA, db);

    const refused = await lockDaemon(dirB, db);
    assert.equal(refused.kind, "refused");
    if (refused.kind === "refused") {
      assert.match(refused.message, /another daemon holds the journal at postgres:\/\/127\.0\.0\.1:5432\/test/);
      assert.match(refused.message, new RegExp(`tradeactor pid ${holder.pid} on ${Deno.hostname()}`));
    }
    // The data directory lock was taken first and must have been given back with the refusal.
    const dirFree = await tryLockDataDir(dirB);
    assert.equal(dirFree.kind, "acquired");
    if (dirFree.kind === "acquired") dirFree.lock.release();

    // Another schema is another journal.
    const other = await lockDaemon(dirB, pgJournal(uniqueName("lock")));
    assert.equal(other.kind, "acquired");
    if (other.kind === "acquired") await other.lock.release();

    // kill -9: PostgreSQL ends the holder's session and with it the lock (asynchronously, hence the wait).
    holder.kill("SIGKILL");
    await holder.status;
    await holder.stdout.cancel();
    await until("the journal lock to be released after kill -9", async () => {
      const attempt = await lockDaemon(dirB, db);
      if (attempt.kind === "acquired") await attempt.lock.release();
      return attempt.kind === "acquired";
    });
    await Deno.remove(dirA, { recursive: true });
    await Deno.remove(dirB, { recursive: true });
  },
});
