/** The Redis bus address (`--bus`), parsed without loading a Redis client. */

export interface BusAddress {
  /** What ioredis connects to (the `name` parameter removed). */
  readonly url: string;
  /** The deployment: every key of this bus sits under `ta:{name}:`. */
  readonly name: string;
  /** A remote actor whose process is silent this long is dead (both ends read it from the URL, so they agree). */
  readonly leaseMs: number;
}

export class BusConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BusConfigError";
  }
}

/**
 * `redis://[user:pass@]host:port[/db][?name=DEPLOYMENT][&leaseMs=N]` (rediss:// for TLS); the name defaults to
 * "tradeactor", the lease to 3000 ms.
 */
export function parseBusUrl(raw: string): BusAddress {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new BusConfigError(`Invalid --bus URL: expected redis://host:port[/db][?name=DEPLOYMENT]`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new BusConfigError(`Invalid --bus URL: the scheme must be redis:// or rediss://, got "${url.protocol}//"`);
  }
  const name = url.searchParams.get("name") ?? "tradeactor";
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(name)) {
    throw new BusConfigError(`Invalid --bus deployment name ${JSON.stringify(name)}: use [A-Za-z0-9_.:-], 1-64 chars`);
  }
  const lease = url.searchParams.get("leaseMs") ?? "3000";
  const leaseMs = Number(lease);
  if (!/^[0-9]+$/.test(lease) || leaseMs < 100 || leaseMs > 600_000) {
    throw new BusConfigError(`Invalid --bus leaseMs ${JSON.stringify(lease)}: a whole number of ms, 100 to 600000`);
  }
  url.searchParams.delete("name");
  url.searchParams.delete("leaseMs");
  return { url: url.toString().replace(/\?$/, ""), name, leaseMs };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return url.replace(/(\/\/[^/@:]*:)[^/@]*@/, "$1***@");
  }
}
