/** Schemas as data: strict checks that name the field, query strings, and the JSON Schema the OpenAPI document uses. */
import assert from "node:assert/strict";
import { checkBody, checkParams, checkQuery, type ObjectSchema, problem } from "../../../actors/gateway/schema.ts";
import { toJsonSchema } from "../../../actors/gateway/openapi.ts";
import { LIMITS_BODY } from "../../../actors/gateway/routes/risk.ts";
import { pageOf, parseSince } from "../../../actors/gateway/pagination.ts";

Deno.test("schema: nested objects, tagged unions, nullable numbers with the config file's rules, all naming the field", () => {
  const ok = checkBody(LIMITS_BODY, {
    scope: { kind: "account" },
    limits: { maxOpenOrders: 3, maxDrawdown: null },
    reason: "r",
  });
  assert.equal(ok.ok, true);
  const strategy = { kind: "strategy", strategyId: "ma-1" };
  assert.equal(checkBody(LIMITS_BODY, { scope: strategy, limits: {}, reason: "r" }).ok, true);
  const errors = (body: unknown) => {
    const c = checkBody(LIMITS_BODY, body);
    return c.ok ? undefined : c.error;
  };
  assert.equal(
    errors({ scope: { kind: "bank" }, limits: {}, reason: "r" }),
    '"scope.kind" must be one of account, strategy, got "bank"',
  );
  assert.equal(errors({ scope: { kind: "strategy" }, limits: {}, reason: "r" }), '"scope.strategyId" is required');
  assert.equal(
    errors({ scope: { kind: "strategy", strategyId: "a b" }, limits: {}, reason: "r" }),
    '"scope.strategyId" must match ^[A-Za-z0-9_.:-]+$, got "a b"',
  );
  assert.match(errors({ scope: { kind: "account", x: 1 }, limits: {}, reason: "r" })!, /^unknown field "scope.x"/);
  assert.match(
    errors({ scope: { kind: "account" }, limits: { maxOpenOrders: 1.5 }, reason: "r" })!,
    /^"limits.maxOpenOrders" must be a whole number ≥ 0/,
  );
  assert.match(
    errors({ scope: { kind: "account" }, limits: { maxDrawdown: 2 }, reason: "r" })!,
    /^"limits.maxDrawdown" must be a number > 0 and ≤ 1/,
  );
  assert.match(
    errors({ scope: { kind: "account" }, limits: { maxPositon: 1 }, reason: "r" })!,
    /^unknown field "limits.maxPositon"/,
  );
  assert.equal(errors({ scope: { kind: "account" }, limits: {}, reason: "  " }), '"reason" must not be empty');
  assert.equal(errors({ scope: { kind: "account" }, limits: {} }), '"reason" is required');
  assert.equal(errors([]), "the body must be a JSON object, got an array");
  assert.equal(
    problem({ type: "array", items: { type: "boolean" }, maxItems: 2 }, [true, 1], "a"),
    '"a[1]" must be true or false, got number',
  );
  assert.equal(
    problem({ type: "array", items: { type: "boolean" }, maxItems: 1 }, [true, false], "a"),
    '"a" has 2 items; at most 1 are allowed',
  );
  assert.equal(
    problem({ type: "oneOf", of: [{ type: "null" }, { type: "boolean" }] }, 3, "x"),
    '"x" must be null, got number; or "x" must be true or false, got number',
  );
});

Deno.test("schema: query strings are strict (unknown, repeated and non-numeric parameters are refused)", () => {
  const schema: ObjectSchema = {
    fields: {
      limit: { type: "number", integer: true, min: 1, max: 500 },
      status: { type: "string", maxLength: 10, enum: ["open", "filled"] },
    },
  };
  const q = (s: string) => checkQuery(schema, new URLSearchParams(s));
  assert.deepEqual(q("limit=20&status=open"), { ok: true, value: { limit: 20, status: "open" } });
  assert.deepEqual(q(""), { ok: true, value: {} });
  assert.deepEqual(q("limit=abc"), { ok: false, error: '"limit" must be a decimal number, got "abc"' });
  assert.deepEqual(q("limit=0"), { ok: false, error: '"limit" must be a whole number ≥ 1 and ≤ 500, got 0' });
  assert.deepEqual(q("limit=1e3"), { ok: false, error: '"limit" must be a decimal number, got "1e3"' });
  assert.deepEqual(q("limit=1&limit=2"), { ok: false, error: 'query parameter "limit" is given more than once' });
  assert.deepEqual(q("x=1"), { ok: false, error: 'unknown query parameter "x" (known: limit, status)' });
  assert.deepEqual(q("status=gone"), { ok: false, error: '"status" must be one of open, filled, got "gone"' });
  assert.equal(
    checkParams({ id: { type: "string", maxLength: 3 } }, { id: "abcd" }),
    '"id" is 4 characters long; at most 3 are allowed',
  );
});

Deno.test("schema: JSON Schema output keeps every constraint the checker enforces", () => {
  const json = toJsonSchema({ type: "object", ...LIMITS_BODY });
  assert.equal(json.additionalProperties, false);
  assert.deepEqual(json.required, ["scope", "limits", "reason"]);
  const props = json.properties as Record<string, Record<string, unknown>>;
  assert.deepEqual(props.reason, {
    type: "string",
    maxLength: 500,
    minLength: 1,
    pattern: "\\S",
    description: "journaled with the change",
  });
  const scope = props.scope.oneOf as Record<string, unknown>[];
  assert.equal(scope.length, 2);
  assert.deepEqual((scope[1].properties as Record<string, unknown>).kind, {
    type: "string",
    maxLength: 10,
    enum: ["strategy"],
  });
  const limits = props.limits.properties as Record<string, { anyOf: Record<string, unknown>[] }>;
  assert.deepEqual(limits.maxOpenOrders.anyOf, [
    { type: "integer", minimum: 0, description: "a count of orders" },
    { type: "null" },
  ]);
  assert.deepEqual(limits.maxDrawdown.anyOf[0], {
    type: "number",
    exclusiveMinimum: 0,
    maximum: 1,
    description: "a fraction of the peak equity: 0.2 is 20 %",
  });
  // Every limit of the account and of a strategy can be set.
  for (const name of ["maxPositionQty", "dailyLossLimit", "priceBand", "minNotional", "maxLoss"]) {
    assert.ok(limits[name], name);
  }
});

Deno.test("pagination: newest first, a stable cursor, filters applied before the limit", () => {
  const items = Array.from({ length: 10 }, (_, i) => ({ seq: (i + 1) * 10, even: i % 2 === 0 }));
  const first = pageOf(items, { limit: 3 });
  assert.deepEqual(first.items.map((i) => i.seq), [100, 90, 80]);
  assert.equal(first.nextCursor, "80");
  const second = pageOf(items, { limit: 3, cursor: first.nextCursor });
  assert.deepEqual(second.items.map((i) => i.seq), [70, 60, 50]);
  const last = pageOf(items, { limit: 5, cursor: "30" });
  assert.deepEqual(last, { items: [items[1], items[0]], nextCursor: null });
  const even = pageOf(items, { limit: 2, cursor: "95" }, (i) => i.even);
  assert.deepEqual(even.items.map((i) => i.seq), [90, 70]);
  assert.equal(pageOf(items, { limit: 4 }, (i) => i.even).nextCursor, "30");
  assert.deepEqual(pageOf(items, { limit: 5 }, (i) => i.even).nextCursor, null, "exactly the last page: no cursor");
  assert.equal(parseSince("1700000000000"), 1_700_000_000_000);
  assert.equal(parseSince("2024-01-01"), Date.UTC(2024, 0, 1));
  assert.equal(parseSince("2024-01-01T10:00"), Date.UTC(2024, 0, 1, 10));
  assert.equal(parseSince("2024-01-01T10:00+01:00"), Date.UTC(2024, 0, 1, 9));
  assert.equal(parseSince("2024-13-45"), undefined);
});
