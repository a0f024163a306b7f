/** Request schemas as data: numbers, lists, maps, nested objects, scalars and path parameters, each error naming the field. */
import assert from "node:assert/strict";
import { checkBody, checkParams, type ObjectSchema } from "../../../actors/gateway/schema.ts";
import { ADD_STRATEGY_BODY } from "../../../actors/gateway/routes/strategy_control.ts";
import { BACKTEST_BODY } from "../../../actors/gateway/routes/backtest.ts";

const ADD = { id: "b-1", strategy: "sma_cross", capital: 1_000, reason: "r" };
const error = (schema: ObjectSchema, body: unknown) => {
  const checked = checkBody(schema, body);
  return checked.ok ? undefined : checked.error;
};

Deno.test("schema: a valid add passes with exactly its fields", () => {
  const body = { ...ADD, params: { fast: 5, mode: "long_only", on: true }, symbols: ["GOOG"], limits: { maxLoss: 5 } };
  assert.deepEqual(checkBody(ADD_STRATEGY_BODY, body), { ok: true, value: body });
});

Deno.test("schema: numbers, lists, maps and patterns are checked, naming the field", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ capital: 0 }, '"capital" must be > 0, got 0'],
    [{ capital: "5" }, '"capital" must be a number, got string'],
    [{ capital: Infinity }, '"capital" must be a number, got number'],
    [{ id: "a b" }, '"id" must be letters, digits, _ . and inner - (at most 20), got "a b"'],
    [{ id: "-a" }, '"id" must be letters, digits, _ . and inner - (at most 20), got "-a"'],
    [{ symbols: [] }, '"symbols" needs at least 1 item(s)'],
    [{ symbols: ["GOOG", 5] }, '"symbols[1]" must be a string, got number'],
    [{ symbols: "GOOG" }, '"symbols" must be a list, got string'],
    [{ params: { fast: { x: 1 } } }, '"params.fast" must be a string, a number or true/false, got object'],
    [{ params: { "bad key": 1 } }, '"params": key "bad key" must be a parameter name'],
    [{ params: [1] }, '"params" must be an object, got an array'],
    [{ limits: { maxLoss: -1 } }, '"limits.maxLoss" must be ≥ 0, got -1'],
    [{ limits: { maxLoss: null } }, '"limits.maxLoss" must be a number, got null'],
    [{ reason: " " }, '"reason" must not be empty'],
  ];
  for (const [change, want] of cases) assert.equal(error(ADD_STRATEGY_BODY, { ...ADD, ...change }), want);
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, i]));
  assert.equal(error(ADD_STRATEGY_BODY, { ...ADD, params: many }), '"params" has 51 fields; at most 50');
});

Deno.test("schema: nested objects and nullable numbers", () => {
  const schema: ObjectSchema = {
    fields: {
      scope: { type: "object", schema: { fields: { kind: { type: "string", maxLength: 10 } }, required: ["kind"] } },
      n: { type: "number", nullable: true, integer: true, maximum: 3 },
    },
  };
  assert.equal(error(schema, { scope: {} }), '"scope.kind" is required');
  assert.equal(error(schema, { scope: { kind: "a", x: 1 } }), 'unknown field "scope.x" (known: kind)');
  assert.equal(error(schema, { scope: 5 }), '"scope" must be a JSON object, got number');
  assert.equal(error(schema, { n: null }), undefined);
  assert.equal(error(schema, { n: 1.5 }), '"n" must be a whole number, got 1.5');
  assert.equal(error(schema, { n: 4 }), '"n" must be ≤ 3, got 4');
});

Deno.test("schema: backtest options and path parameters", () => {
  assert.equal(error(BACKTEST_BODY, { reason: "r", fill: "later" }), '"fill" must be next_open or close, got "later"');
  assert.equal(
    error(BACKTEST_BODY, { reason: "r", out: "/tmp" }),
    'unknown field "out" (known: strategy, params, data, timeframe, cash, commission, commissionFixed, slippageBps, spread, impact, fill, volumeShare, leverage, noShort, step, closeAtEnd, reason)',
  );
  const id = { id: { type: "string", maxLength: 8, pattern: { source: "[a-z]+", says: "lowercase" } } } as const;
  assert.deepEqual(checkParams(id, { id: "abc" }), { ok: true, value: { id: "abc" } });
  assert.deepEqual(checkParams(id, { id: "ABC" }), {
    ok: false,
    error: 'path parameter "id" must be lowercase, got "ABC"',
  });
  // A pattern matches the whole value, not a part of it.
  assert.equal(checkParams(id, { id: "abc/../x" }).ok, false);
});
