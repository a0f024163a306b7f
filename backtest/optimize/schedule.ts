/**
 * How many Workers a search is worth and how many combinations go in one message, from measured costs: the time one
 * combination takes in a Worker (its first chunks are single combinations, to measure it cold and warm) and the time
 * a Worker takes to start. Pure functions, so the rules are tested without threads or clocks.
 */

/** About this long per chunk: the main thread then handles a few dozen messages a second, whatever the job cost. */
export const CHUNK_TARGET_MS = 40;

/** A Worker started for fewer combinations than this spends them warming its JIT up: not worth it. */
export const MIN_JOBS_PER_WORKER = 4;

/**
 * Workers worth running for `remaining` combinations of `costMs` each, when one more costs `startMs` before it is
 * useful (its start-up and its first, cold, combination; the ones already running keep working meanwhile): one more
 * is added only while it saves more time than that, and while each would get MIN_JOBS_PER_WORKER combinations.
 * Always ≥ 1 and ≤ max.
 */
export function workersWorth(remaining: number, costMs: number, startMs: number, max: number): number {
  const work = remaining * costMs;
  let n = 1;
  while (n < max && remaining >= (n + 1) * MIN_JOBS_PER_WORKER && work / n - work / (n + 1) > startMs) n++;
  return n;
}

/**
 * What a new Worker costs beyond its start-up, in cold first combinations: its isolate compiles the engine again (V8's
 * JIT, ~1 CPU-s on the SMA grid, where a first combination takes 50–85 ms), on cores the running Worker's own
 * compilation already uses; and the early cost estimate, from combinations that are still warming up, overstates the
 * work left 2–4×. Calibrated on this 2-core machine: 100 combinations took 1.3–1.4× as long on 2 Workers as on 1,
 * 200 about as long, 407 1.1–1.3× less.
 */
export const WARMUP_RUNS = 30;

/**
 * Workers worth running now for `remaining` combinations: `perJob` is the warm cost (from the chunks after the first),
 * `firstMs` the cold first combination's, `bootMs` a Worker's start-up.
 */
export function workersFor(remaining: number, perJob: number, firstMs: number, bootMs: number, max: number): number {
  return workersWorth(remaining, perJob, bootMs + WARMUP_RUNS * firstMs, max);
}

/**
 * Combinations per message: enough that a chunk takes about CHUNK_TARGET_MS (tiny jobs go many to a message), few
 * enough that the last chunks still spread over every Worker (each gets ≥ 4 chunks of what is left).
 */
export function chunkSize(remaining: number, costMs: number, workers: number): number {
  const byCost = Math.floor(CHUNK_TARGET_MS / Math.max(costMs, 1e-3));
  const byBalance = Math.floor(remaining / (4 * Math.max(1, workers)));
  return Math.max(1, Math.min(byCost, byBalance));
}

/** Weight of a chunk's measurement in the running cost estimate, per chunk measured after it. */
export const COST_DECAY = 0.8;

/**
 * A running estimate of the per-combination cost and of the first, cold, one. The estimate is a mean weighted by
 * chunk size that forgets old chunks (COST_DECAY per chunk) and leaves the first one out once others are in: a
 * Worker gets faster as its JIT warms up, and a first combination that paid for compiling would otherwise keep the
 * estimate high (small chunks, many messages) for the whole search.
 */
export function costTracker() {
  let jobs = 0, ms = 0, first = NaN, chunks = 0;
  return {
    add(chunkJobs: number, chunkMs: number) {
      if (chunks === 0) first = chunkMs / chunkJobs;
      else if (chunks === 1) [jobs, ms] = [0, 0];
      jobs = jobs * COST_DECAY + chunkJobs;
      ms = ms * COST_DECAY + chunkMs;
      chunks++;
    },
    get firstMs() {
      return first;
    },
    get known() {
      return chunks > 0;
    },
    /** Chunks after the first are in: `perJob` is no longer the cold first combination's. */
    get warm() {
      return chunks > 1;
    },
    get perJob() {
      return chunks > 0 ? ms / jobs : NaN;
    },
  };
}
