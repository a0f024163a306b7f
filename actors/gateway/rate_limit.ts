/**
 * Per-client token buckets: `burst` requests at once, refilled at `perSecond`. A refused request learns when to
 * come back (Retry-After). The client table is bounded: the least recently seen clients are forgotten first, so
 * a flood from many addresses cannot grow memory without end.
 */

export interface RateLimit {
  readonly burst: number;
  readonly perSecond: number;
}

export type RateDecision = { readonly ok: true } | { readonly ok: false; readonly retryAfterS: number };

interface Bucket {
  tokens: number;
  at: number;
}

export function createRateLimiter(limit: RateLimit, now: () => number, maxClients = 10_000) {
  const buckets = new Map<string, Bucket>();
  return {
    take(client: string): RateDecision {
      const t = now();
      let bucket = buckets.get(client);
      if (bucket) buckets.delete(client); // re-inserted below: Map order is recency
      else {
        bucket = { tokens: limit.burst, at: t };
        if (buckets.size >= maxClients) buckets.delete(buckets.keys().next().value!);
      }
      bucket.tokens = Math.min(limit.burst, bucket.tokens + ((t - bucket.at) / 1_000) * limit.perSecond);
      bucket.at = t;
      buckets.set(client, bucket);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true };
      }
      const waitS = limit.perSecond > 0 ? (1 - bucket.tokens) / limit.perSecond : 3_600;
      return { ok: false, retryAfterS: Math.max(1, Math.ceil(waitS)) };
    },
  };
}
