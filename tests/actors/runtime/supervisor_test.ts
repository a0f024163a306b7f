/** The supervision decision as a pure function: escalation counts all children together, quarantine each apart. */
import assert from "node:assert/strict";
import { decide, emptyHistory, type SupervisorSpec, validateTree } from "../../../actors/runtime/mod.ts";
import { actor, sup } from "./contract.ts";

const spec = (extra: Partial<SupervisorSpec> = {}) =>
  sup("s", "one_for_one", [actor("a", "counter"), actor("b", "counter")], {
    intensity: { maxRestarts: 2, withinMs: 1_000 },
    backoff: { minMs: 10, maxMs: 1_000, factor: 2 },
    ...extra,
  });

Deno.test("decide: escalate (the default) counts every child's restarts against one limit", () => {
  const s = spec();
  const history = emptyHistory();
  assert.equal(decide(s, history, "a", "crash", 0).kind, "restart");
  assert.equal(decide(s, history, "b", "crash", 1).kind, "restart");
  assert.deepEqual(decide(s, history, "a", "crash", 2), {
    kind: "escalate",
    reason: "3 restarts within 1000 ms exceed the limit of 2",
  });
});

Deno.test("decide: quarantine counts each child apart, backs off per child, and names only that child", () => {
  const s = spec({ onExceeded: "quarantine" });
  const history = emptyHistory();
  assert.deepEqual(decide(s, history, "a", "crash", 0), { kind: "restart", stop: ["a"], start: ["a"], delayMs: 10 });
  assert.deepEqual(decide(s, history, "b", "crash", 1), { kind: "restart", stop: ["b"], start: ["b"], delayMs: 10 });
  assert.deepEqual(decide(s, history, "a", "crash", 2), { kind: "restart", stop: ["a"], start: ["a"], delayMs: 20 });
  assert.deepEqual(decide(s, history, "a", "crash", 3), {
    kind: "quarantine",
    reason: "3 restarts within 1000 ms exceed the limit of 2",
  });
  // b's window is its own: one more crash of b is still a restart.
  assert.equal(decide(s, history, "b", "crash", 4).kind, "restart");
  // Outside the window the count starts over.
  assert.equal(decide(s, history, "b", "crash", 5_000).kind, "restart");
  assert.equal(history.times.length, 0);
});

Deno.test("decide: temporary children and normal ends of transient ones are never quarantined", () => {
  const s = sup("s", "one_for_one", [actor("t", "counter", { restart: "temporary" })], {
    intensity: { maxRestarts: 0, withinMs: 1_000 },
    onExceeded: "quarantine",
  });
  assert.deepEqual(decide(s, emptyHistory(), "t", "crash", 0), { kind: "ignore", removeChild: true });
});

Deno.test("validateTree: quarantine needs one_for_one and a known value", () => {
  assert.throws(
    () => validateTree(sup("s", "one_for_all", [actor("a", "counter")], { onExceeded: "quarantine" })),
    /s: onExceeded "quarantine" needs one_for_one \(one_for_all restarts siblings together\)/,
  );
  assert.throws(
    () => validateTree(sup("s", "one_for_one", [actor("a", "counter")], { onExceeded: "ignore" as never })),
    /s: onExceeded must be "escalate" or "quarantine", got "ignore"/,
  );
  validateTree(spec({ onExceeded: "quarantine" }));
});
