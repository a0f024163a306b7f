/** The bounds the control endpoint relies on: clipped documents, per-client buckets, strict body schemas. */
import assert from "node:assert/strict";
import { boundedJson, clip } from "../../../actors/gateway/clip.ts";
import { createRateLimiter } from "../../../actors/gateway/rate_limit.ts";
import { checkBody } from "../../../actors/gateway/schema.ts";
import { KILL_BODY, RESUME_BODY } from "../../../actors/gateway/routes/system.ts";
import { hostNameOf, isLoopback, originAllowed } from "../../../actors/gateway/origin.ts";

Deno.test("limits: clip cuts strings, keeps the newest items, elides depth; boundedJson caps the bytes", () => {
  const limits = { maxString: 5, maxItems: 3, maxDepth: 2, maxBytes: 200 };
  assert.deepEqual(clip({ s: "abcdefgh", list: [1, 2, 3, 4], deep: { a: { b: 1 } }, more: 1 }, limits), {
    s: "abcde… (8 chars)",
    list: [2, 3, 4],
    deep: { a: "… (nested too deep)" },
    "…": "1 more keys",
  });
  const wide = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, "v".repeat(100)]));
  const text = boundedJson({ wide }, { maxString: 1_000, maxItems: 1_000, maxDepth: 8, maxBytes: 200 });
  assert.ok(text.length <= 200, text);
  assert.match(JSON.parse(text).error, /too large/);
});

Deno.test("limits: the rate limiter refills with time, per client, and says when to come back", () => {
  let now = 0;
  const limiter = createRateLimiter({ burst: 2, perSecond: 1 }, () => now, 2);
  assert.deepEqual([limiter.take("a"), limiter.take("a")], [{ ok: true }, { ok: true }]);
  assert.deepEqual(limiter.take("a"), { ok: false, retryAfterS: 1 });
  assert.deepEqual(limiter.take("b"), { ok: true }, "another client has its own bucket");
  now = 1_000;
  assert.deepEqual(limiter.take("a"), { ok: true });
  // The table is bounded: a third client evicts the least recently seen one, which then starts afresh.
  limiter.take("c");
  assert.deepEqual([limiter.take("b"), limiter.take("b")], [{ ok: true }, { ok: true }]);
});

Deno.test("limits: strict bodies name the field; host and origin parsing", () => {
  assert.deepEqual(checkBody(KILL_BODY, {}), { ok: true, value: {} });
  assert.deepEqual(checkBody(KILL_BODY, { reason: "r", flatten: false }), {
    ok: true,
    value: { reason: "r", flatten: false },
  });
  assert.deepEqual(checkBody(RESUME_BODY, {}), { ok: false, error: '"reason" is required' });
  assert.deepEqual(checkBody(KILL_BODY, null), { ok: false, error: "the body must be a JSON object, got null" });
  assert.equal(checkBody(KILL_BODY, { reason: 5 }).ok, false);

  assert.equal(hostNameOf("[::1]:8787"), "::1");
  assert.equal(hostNameOf("LocalHost"), "localhost");
  assert.equal(hostNameOf("a b"), undefined);
  assert.equal(hostNameOf("evil.example:80/x"), undefined);
  assert.ok(isLoopback("127.0.0.2") && isLoopback("[::1]") && isLoopback("localhost"));
  assert.ok(!isLoopback("0.0.0.0") && !isLoopback("127.example.com"));
  const none = new Set<string>();
  assert.ok(originAllowed("http://127.0.0.1:8787", "127.0.0.1:8787", none));
  assert.ok(!originAllowed("http://127.0.0.1:9999", "127.0.0.1:8787", none));
  assert.ok(!originAllowed("null", "127.0.0.1:8787", none));
  assert.ok(originAllowed("https://ops.example.com", "127.0.0.1:8787", new Set(["https://ops.example.com"])));
});
