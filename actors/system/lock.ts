/**
 * One daemon per data directory: an exclusive OS file lock (flock) on `<dataDir>/daemon.lock`, taken before anything
 * trades. The kernel releases it when the holder's process ends, however it ends (kill -9 included), so a lock is
 * never stale. The file also says who holds it (PID, host, start time, command, control URL), for the refusal message;
 * its content is informative only: the file stays after a stop, and it is the kernel lock that counts.
 */
import { resolve } from "node:path";
import { tryLockJournal } from "../../storage/journal_lock.ts";
import { redactSecrets } from "../../storage/url.ts";

export const LOCK_FILE = "daemon.lock";

/** What the holder writes into the lock file. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO time the holder took the lock. */
  readonly since: string;
  readonly command: string;
  /** The holder's control endpoint, once it serves one. */
  readonly control?: string;
  /** ISO time the holder began its orderly stop. */
  readonly stoppingSince?: string;
}

export interface DataDirLock {
  readonly path: string;
  readonly holder: LockHolder;
  /** Rewrites the holder information (the lock stays held). */
  update(fields: Partial<Pick<LockHolder, "control" | "stoppingSince">>): Promise<void>;
  /** Releases the lock; the process ending does the same. */
  release(): void;
}

export type LockAttempt =
  | { readonly kind: "acquired"; readonly lock: DataDirLock }
  /** `holder` is undefined when the file cannot be read yet (the holder is writing it) or was not written by us. */
  | { readonly kind: "busy"; readonly path: string; readonly holder: LockHolder | undefined };

/** Tries once, without waiting: a second daemon must refuse to start, not queue behind the first. */
export async function tryLockDataDir(dataDir: string, command = defaultCommand()): Promise<LockAttempt> {
  const path = resolve(dataDir, LOCK_FILE);
  // No truncate at open: the content belongs to whoever holds the lock.
  const file = await Deno.open(path, { read: true, write: true, create: true });
  let locked = false;
  try {
    locked = await file.tryLock(true);
  } finally {
    if (!locked) file.close();
  }
  if (!locked) return { kind: "busy", path, holder: await readHolder(path) };

  let holder: LockHolder = { pid: Deno.pid, hostname: Deno.hostname(), since: new Date().toISOString(), command };
  const write = async () => {
    const bytes = new TextEncoder().encode(JSON.stringify(holder) + "\n");
    await file.truncate(0);
    await file.seek(0, Deno.SeekMode.Start);
    let written = 0;
    while (written < bytes.length) written += await file.write(bytes.subarray(written));
  };
  try {
    await write();
  } catch (err) {
    file.close();
    throw err;
  }
  let released = false;
  const lock: DataDirLock = {
    path,
    get holder() {
      return holder;
    },
    async update(fields) {
      if (released) return;
      holder = { ...holder, ...fields };
      await write();
    },
    release() {
      if (released) return;
      released = true;
      file.close();
    },
  };
  return { kind: "acquired", lock };
}

/** The holder as the lock file describes it; undefined when it is empty or not ours. */
export async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const parsed = JSON.parse(await Deno.readTextFile(path));
    return typeof parsed?.pid === "number" && typeof parsed?.since === "string" ? parsed as LockHolder : undefined;
  } catch {
    return undefined;
  }
}

/** The refusal, naming the holder: "… is held by PID 123 on host vm1 since …, control http://…". */
export function describeBusy(dataDir: string, attempt: Extract<LockAttempt, { kind: "busy" }>): string {
  const h = attempt.holder;
  const who = h === undefined ? `another process (${attempt.path} does not say which yet)` : [
    `PID ${h.pid} on host ${h.hostname} since ${h.since}`,
    h.control ? `control ${h.control}` : "control endpoint not up yet",
    h.stoppingSince ? `stopping since ${h.stoppingSince}` : undefined,
    `command: ${h.command}`,
  ].filter((part) => part !== undefined).join(", ");
  const stop = h === undefined ? "Stop it first" : `Stop it first (SIGTERM to PID ${h.pid} stops it in order)`;
  return `Cannot start: another daemon holds the data directory ${resolve(dataDir)}: ${who}. ` +
    `Two daemons on one data directory would send every order twice. ${stop}, or give this one another dataDir.`;
}

/** Everything a daemon holds so that it is the only one: the data directory, and a PostgreSQL journal if it has one. */
export interface DaemonLock {
  update(fields: Partial<Pick<LockHolder, "control" | "stoppingSince">>): Promise<void>;
  release(): Promise<void>;
}

export type DaemonLockAttempt =
  | { readonly kind: "acquired"; readonly lock: DaemonLock }
  | { readonly kind: "refused"; readonly message: string };

/**
 * Takes the data directory's lock, then (journal on PostgreSQL) the journal's: two daemons with different data
 * directories on one PostgreSQL journal would replay the same intents and send the same orders. A SQLite journal
 * lives in a file the data directory's lock already covers when it sits there (the default); elsewhere it is not
 * locked. `onLost`: the journal lock's connection broke while held (another daemon could now take it).
 */
export async function lockDaemon(
  dataDir: string,
  db: string,
  options: { readonly onLost?: (error: Error) => void } = {},
): Promise<DaemonLockAttempt> {
  const dir = await tryLockDataDir(dataDir);
  if (dir.kind === "busy") return { kind: "refused", message: describeBusy(dataDir, dir) };
  const file = dir.lock;
  if (!/^postgres(ql)?:\/\//.test(db)) {
    return { kind: "acquired", lock: { update: file.update, release: () => Promise.resolve(file.release()) } };
  }
  const where = journalName(db);
  let journal;
  try {
    journal = await tryLockJournal({
      url: db,
      label: `tradeactor pid ${file.holder.pid} on ${file.holder.hostname}`,
      ...(options.onLost ? { onLost: options.onLost } : {}),
    });
  } catch (error) {
    file.release();
    throw new Error(`Cannot lock the journal at ${where}: ${redactSecrets((error as Error).message, db)}`, {
      cause: error,
    });
  }
  if (journal.kind === "busy") {
    file.release();
    return {
      kind: "refused",
      message:
        `Cannot start: another daemon holds the journal at ${where}: ${
          journal.holder ?? "the server does not say who"
        }. Two daemons on one journal would send every order twice. Stop that one first, or give this one another ` +
        `database or schema.`,
    };
  }
  const held = journal.lock;
  return {
    kind: "acquired",
    lock: {
      update: file.update,
      async release() {
        await held.release();
        file.release();
      },
    },
  };
}

/** host:port/database, never the password. */
function journalName(url: string): string {
  try {
    const u = new URL(url);
    return `postgres://${u.host}${u.pathname}`;
  } catch {
    return "a PostgreSQL database";
  }
}

function defaultCommand(): string {
  return [Deno.execPath(), Deno.mainModule, ...Deno.args].join(" ");
}
