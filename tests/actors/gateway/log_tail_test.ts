import assert from "node:assert/strict";
import { createLogTail, teeSink } from "../../../actors/gateway/log_tail.ts";
import type { LogRecord } from "../../../actors/runtime/mod.ts";

const line = (i: number, extra: Record<string, unknown> = {}): LogRecord => ({
  ts: 1_000 + i,
  level: "info",
  actor: i % 2 ? "live/strategy/a" : "daemon",
  msg: `line ${i}`,
  ...extra,
});

Deno.test("log tail: keeps the newest lines in order once the ring wraps, with increasing seqs", () => {
  const tail = createLogTail({ capacity: 5 });
  for (let i = 1; i <= 12; i++) tail.sink(line(i));
  const kept = tail.records();
  assert.deepEqual(kept.map((l) => l.msg), ["line 8", "line 9", "line 10", "line 11", "line 12"]);
  assert.deepEqual(kept.map((l) => l.seq), [8, 9, 10, 11, 12]);
});

Deno.test("log tail: the strategy from a strategyId field or the actor path; other fields kept apart", () => {
  const tail = createLogTail({
    strategyOf: (actor) => actor.startsWith("live/strategy/") ? actor.slice(14) : undefined,
  });
  tail.sink(line(1, { error: "boom" }));
  tail.sink(line(2, { strategyId: "named" }));
  tail.sink(line(3, { corr: "c-1" }));
  const [a, b, c] = tail.records();
  assert.equal(a.strategy, "a");
  assert.deepEqual(a.fields, { error: "boom" });
  assert.equal(b.strategy, "named", "the record's own strategyId wins over the path");
  assert.equal(c.strategy, "a");
  assert.equal(b.fields?.strategyId, "named");
  assert.equal(tail.records()[0].fields?.ts, undefined, "ts, level, actor and msg are not repeated in fields");
});

Deno.test("log tail: huge messages and fields are clipped; unknown levels count as errors", () => {
  const tail = createLogTail();
  tail.sink({ ...line(1, { payload: "x".repeat(50_000) }), msg: "m".repeat(10_000) });
  tail.sink({ ...line(2), level: "loud" as never });
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  tail.sink(line(3, { cyclic }));
  const [big, odd, cyc] = tail.records();
  assert.ok(big.msg.length <= 2_001);
  assert.ok(JSON.stringify(big.fields).length < 4_100);
  assert.equal(odd.level, "error");
  assert.deepEqual(cyc.fields, { unserialisable: true });
});

Deno.test("log tail: listeners get every line; one that throws does not stop the others; unsubscribe", () => {
  const tail = createLogTail();
  const got: string[] = [];
  tail.subscribe(() => {
    throw new Error("bad listener");
  });
  const stop = tail.subscribe((view) => got.push(view.msg));
  tail.sink(line(1));
  stop();
  tail.sink(line(2));
  assert.deepEqual(got, ["line 1"]);
  assert.equal(tail.records().length, 2, "kept whatever the listeners did");
});

Deno.test("teeSink: every sink gets every record", () => {
  const a: LogRecord[] = [];
  const b: LogRecord[] = [];
  const sink = teeSink((r) => a.push(r), (r) => b.push(r));
  sink(line(1));
  assert.equal(a.length, 1);
  assert.equal(b.length, 1);
});
