/** Feed freshness, per kind of feed, on explicit times. */
import assert from "node:assert/strict";
import { assessFeed, type FeedPolicy } from "../../../actors/gateway/feed_health.ts";

const PACED: FeedPolicy = { kind: "paced", intervalMs: 200, graceMs: 1_000, startupGraceMs: 10_000 };
const LIVE: FeedPolicy = { kind: "live", intervalMs: 60_000, graceMs: 30_000, startupGraceMs: 150_000, symbols: ["A"] };

Deno.test("feed health: a replay at max speed is always fresh, an ended replay is never stale", () => {
  const seen = { bars: {}, startedAt: 0, ended: false };
  assert.deepEqual(assessFeed({ kind: "unpaced" }, seen, 1e12), { state: "unpaced", stale: [] });
  assert.deepEqual(assessFeed(PACED, { ...seen, ended: true }, 1e12), { state: "ended", stale: [] });
  assert.deepEqual(assessFeed(LIVE, { ...seen, ended: true }, 1e12), { state: "ended", stale: [] });
});

Deno.test("feed health: a paced replay is judged by when bars arrive, with a startup grace before the first", () => {
  const none = { bars: {}, startedAt: 5_000, ended: false };
  assert.equal(assessFeed(PACED, none, 15_000).state, "awaiting first bar");
  assert.deepEqual(assessFeed(PACED, none, 15_001), { state: "stale", stale: [{ since: 5_000 }] });
  // Market time (ts) is irrelevant for a replay: an old bar that just arrived is fresh.
  const bars = { X: { ts: 0, at: 20_000 }, Y: { ts: 0, at: 19_000 } };
  const seen = { bars, startedAt: 5_000, ended: false };
  assert.equal(assessFeed(PACED, seen, 21_200).state, "fresh");
  assert.deepEqual(assessFeed(PACED, seen, 21_201), { state: "stale", stale: [{ since: 20_000 }] });
});

Deno.test("feed health: a live feed is judged per symbol by the bar's own close, so old bars are stale too", () => {
  const T = 1_700_000_040_000;
  const seen = { bars: { A: { ts: T, at: T + 60_000 } }, startedAt: T, ended: false };
  assert.equal(assessFeed(LIVE, seen, T + 60_000 + 90_000).state, "fresh");
  assert.deepEqual(assessFeed(LIVE, seen, T + 60_000 + 90_001), {
    state: "stale",
    stale: [{ symbol: "A", since: T + 60_000 }],
  });
  // Arrived just now, but closed hours ago (a backfill that never catches up): stale.
  const old = { bars: { A: { ts: T - 3_600_000, at: T } }, startedAt: T - 10_000, ended: false };
  assert.equal(assessFeed(LIVE, old, T).state, "stale");
  // A symbol with no bar yet: awaiting within the startup grace, stale after it.
  const two: FeedPolicy = { ...LIVE, symbols: ["A", "B"] };
  assert.equal(assessFeed(two, seen, T + 100_000).state, "awaiting first bar");
  assert.deepEqual(assessFeed(two, { ...seen, bars: { A: { ts: T + 120_000, at: 0 } } }, T + 150_001).stale, [
    { symbol: "B", since: T },
  ]);
});
