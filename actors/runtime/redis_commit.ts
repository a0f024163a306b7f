/**
 * The remote host's commit: one Lua script, so an actor's effects of a batch land together or not at all. It acks
 * the handled mailbox entries, adds the messages they produced to the core's inbox and stores the actor's snapshot
 * and dedupe marks, fenced by the lease (a process that lost the actor can no longer commit) and by a version (a
 * commit resent after a reconnect is recognised by its id and applied once).
 */
import type { Redis } from "ioredis";

const COMMIT = `
local holder, expected, cid = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local ver = tonumber(redis.call('HGET', KEYS[2], 'ver') or '0')
if ver == expected + 1 and redis.call('HGET', KEYS[2], 'cid') == cid then return ver end
if redis.call('GET', KEYS[1]) ~= holder then return -1 end
if ver ~= expected then return -2 end
ver = ver + 1
redis.call('HSET', KEYS[2], 'ver', ver, 'cid', cid, 'seen', ARGV[6])
if ARGV[5] == '1' then redis.call('HSET', KEYS[2], 'snap', ARGV[4]) end
local n = tonumber(ARGV[9])
if n > 0 then redis.call('XACK', KEYS[3], ARGV[7], unpack(ARGV, 10, 9 + n)) end
for i = 10 + n, #ARGV do
  redis.call('XADD', KEYS[4], 'MAXLEN', '~', ARGV[8], '*', 'e', ARGV[i])
end
return ver`;

// Takes a free lease or extends one's own: a resend (after a reconnect) of a take that succeeded still says yes.
const ACQUIRE = `
local v = redis.call('GET', KEYS[1])
if v == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

export interface CommitKeys {
  readonly lease: string;
  readonly state: string;
  readonly mailbox: string;
  readonly inbox: string;
}

export interface CommitArgs {
  readonly holder: string;
  readonly expectedVer: number;
  readonly cid: string;
  /** Wire text of the new snapshot, or undefined to keep the stored one. */
  readonly snap: string | undefined;
  readonly seen: string;
  readonly group: string;
  readonly maxLen: number;
  readonly acks: readonly string[];
  readonly outputs: readonly string[];
}

export type CommitResult =
  | { readonly kind: "ok"; readonly ver: number }
  | { readonly kind: "not_holder" }
  | { readonly kind: "stale_version" };

export async function commit(redis: Redis, keys: CommitKeys, a: CommitArgs): Promise<CommitResult> {
  const result = await redis.eval(
    COMMIT,
    4,
    keys.lease,
    keys.state,
    keys.mailbox,
    keys.inbox,
    a.holder,
    String(a.expectedVer),
    a.cid,
    a.snap ?? "",
    a.snap === undefined ? "0" : "1",
    a.seen,
    a.group,
    String(a.maxLen),
    String(a.acks.length),
    ...a.acks,
    ...a.outputs,
  ) as number;
  if (result === -1) return { kind: "not_holder" };
  if (result === -2) return { kind: "stale_version" };
  return { kind: "ok", ver: result };
}

/** Takes the lease when free, or extends it when this holder has it; true when this holder has it now. */
export async function acquireLease(redis: Redis, key: string, holder: string, leaseMs: number): Promise<boolean> {
  return (await redis.eval(ACQUIRE, 1, key, holder, String(leaseMs))) === 1;
}

export async function releaseLease(redis: Redis, key: string, holder: string): Promise<void> {
  await redis.eval(RELEASE, 1, key, holder);
}
