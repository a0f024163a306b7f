/**
 * How many Workers a search is worth and how many combinations go in one message, from measured costs: the time one
 * combination takes in a Worker (its first chunk is a single combination, to measure it) and the time a Worker takes
 * to start. Pure functions, so the rules are tested without threads or clocks.
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
 * Combinations per message: enough that a chunk takes about CHUNK_TARGET_MS (tiny jobs go many to a message), few
 * enough that the last chunks still spread over every Worker (each gets ≥ 4 chunks of what is left).
 */
export function chunkSize(remaining: number, costMs: number, workers: number): number {
  const byCost = Math.floor(CHUNK_TARGET_MS / Math.max(costMs, 1e-3));
  const byBalance = Math.floor(remaining / (4 * Math.max(1, workers)));
  return Math.max(1, Math.min(byCost, byBalance));
}

/**
 * A running estimate of the per-combination cost (the mean of what the chunks measured, weighted by their size) and
 * of the first, cold, one.
 */
export function costTracker() {
  let jobs = 0, ms = 0, first = NaN;
  return {
    add(chunkJobs: number, chunkMs: number) {
      if (jobs === 0) first = chunkMs / chunkJobs;
      jobs += chunkJobs;
      ms += chunkMs;
    },
    get firstMs() {
      return first;
    },
    get known() {
      return jobs > 0;
    },
    get perJob() {
      return jobs > 0 ? ms / jobs : NaN;
    },
  };
}
