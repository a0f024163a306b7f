/**
 * Where the live tree runs: `all` (default) in one daemon; `core` the daemon without the strategy supervisors, which
 * run on the Redis bus (`--bus`) in one or more `strategies` processes (a second one is a standby). Both ends load
 * the Redis client only when a bus is given.
 */
import { createLogger, errorText, levelFromEnv, type LogSink } from "../runtime/mod.ts";
import type { RemoteLink } from "../runtime/remote_link.ts";
import { REMOTE_LOST } from "../runtime/remote_link.ts";
import { strategyIdOf } from "./strategy_faults.ts";

export type Role = "all" | "core" | "strategies";
export const ROLES: readonly Role[] = ["all", "core", "strategies"];

export class RoleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RoleError";
  }
}

/** Checks the command line's --role and --bus together; the bus URL itself is checked by parseBusUrl. */
export function resolveRole(role: string | undefined, bus: string | undefined): { role: Role; bus?: string } {
  const r = (role ?? "all") as Role;
  if (!ROLES.includes(r)) throw new RoleError(`--role must be one of ${ROLES.join(", ")}, got "${role}"`);
  if (r !== "all" && !bus) {
    throw new RoleError(`--role ${r} needs --bus redis://HOST:PORT[/DB][?name=DEPLOYMENT] (the same on every process)`);
  }
  if (r === "all" && bus) {
    throw new RoleError(`--bus needs --role core (this daemon) or --role strategies (the strategy processes)`);
  }
  return bus ? { role: r, bus } : { role: r };
}

/** The core's link: every strategy supervisor's mailbox is on the bus. */
export async function strategiesLink(bus: string, sink: LogSink): Promise<RemoteLink> {
  const { createRedisLink } = await import("../runtime/redis_link.ts");
  return await createRedisLink({
    bus,
    remote: (path) => strategyIdOf(path) !== undefined,
    log: createLogger(sink, "bus", Date.now, levelFromEnv()),
  });
}

/**
 * A strategy process lost with its lease fails over with its mailbox and committed state intact: the guardian keeps
 * waiting for it (a replay's bar clock does not run ahead of it) rather than releasing it as after a crash.
 */
export function isRemoteLoss(error: string): boolean {
  return error.includes(REMOTE_LOST);
}

/** `live --role strategies`: serves strategy supervisors from the bus until SIGTERM/SIGINT or `signal`. */
export async function runStrategiesHost(
  bus: string,
  options: { readonly logSink: LogSink; readonly signal?: AbortSignal },
): Promise<number> {
  const { createRedisHost } = await import("../runtime/redis_host.ts");
  const log = (level: "info" | "error", msg: string, fields: Record<string, unknown> = {}) =>
    options.logSink({ ts: Date.now(), level, actor: "strategies", msg, ...fields });
  const host = createRedisHost({ bus, logSink: options.logSink });
  try {
    await host.start();
  } catch (err) {
    log("error", "cannot start the strategies process", { error: errorText(err) });
    return 1;
  }
  log("info", "strategies process serving the bus", { holder: host.holder });
  let wake: () => void = () => {};
  const done = new Promise<void>((resolve) => (wake = resolve));
  const signals: Deno.Signal[] = ["SIGTERM", "SIGINT"];
  for (const sig of signals) Deno.addSignalListener(sig, wake);
  options.signal?.addEventListener("abort", wake);
  await done;
  for (const sig of signals) Deno.removeSignalListener(sig, wake);
  // Releases its leases: a standby takes the strategies over at once instead of after a lease.
  await host.stop();
  log("info", "strategies process stopped", { holder: host.holder });
  return 0;
}
