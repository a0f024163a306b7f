/** Request schemas as data: numbers, lists, maps, nested objects, scalars and path parameters, each error naming the field. */
import assert from "node:assert/strict";
import { checkBody, checkParams, type ObjectSchema } from "../../../actors/gateway/schema.ts";
import { toJsonSchema } from "../../../actors/gateway/openapi.ts";
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
  const id = '"id" must match ^[A-Za-z0-9_.]+(-[A-Za-z0-9_.]+)*$';
  const cases: [Record<string, unknown>, string][] = [
    [{ capital: 0 }, '"capital" must be a number > 0 and ≤ 1000000000000000, got 0'],
    [{ capital: "5" }, '"capital" must be a number > 0 and ≤ 1000000000000000, got "5"'],
    [{ capital: Infinity }, '"capital" must be a number > 0 and ≤ 1000000000000000, got Infinity'],
    [{ id: "a b" }, `${id}, got "a b"`],
    [{ id: "-a" }, `${id}, got "-a"`],
    [{ symbols: [] }, '"symbols" needs at least 1 item(s), got 0'],
    [{ symbols: ["GOOG", 5] }, '"symbols[1]" must be a string, got number'],
    [{ symbols: "GOOG" }, '"symbols" must be an array, got string'],
    [
      { params: { fast: { x: 1 } } },
      '"params.fast" must be a string, got object; or "params.fast" must be a number, got {"x":1}; ' +
      'or "params.fast" must be true or false, got object',
    ],
    [{ params: { "bad key": 1 } }, '"params": "key" must match ^[A-Za-z_][A-Za-z0-9_]*$, got "bad key"'],
    [{ params: [1] }, '"params" must be an object, got an array'],
    [{ limits: { maxLoss: -1 } }, '"limits.maxLoss" must be a number ≥ 0, got -1'],
    [{ limits: { maxLoss: null } }, '"limits.maxLoss" must be a number ≥ 0, got null'],
    [{ reason: " " }, '"reason" must not be empty'],
  ];
  for (const [change, want] of cases) assert.equal(error(ADD_STRATEGY_BODY, { ...ADD, ...change }), want);
  const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`p${i}`, i]));
  assert.equal(error(ADD_STRATEGY_BODY, { ...ADD, params: many }), '"params" has 51 fields; at most 50 are allowed');
});

Deno.test("schema: nested objects and nullable numbers", () => {
  const schema: ObjectSchema = {
    fields: {
      scope: { type: "object", fields: { kind: { type: "string", maxLength: 10 } }, required: ["kind"] },
      n: { type: "nullable", of: { type: "number", integer: true, max: 3 } },
    },
  };
  assert.equal(error(schema, { scope: {} }), '"scope.kind" is required');
  assert.equal(error(schema, { scope: { kind: "a", x: 1 } }), 'unknown field "scope.x" (known: kind)');
  assert.equal(error(schema, { scope: 5 }), '"scope" must be an object, got number');
  assert.equal(error(schema, { n: null }), undefined);
  assert.equal(error(schema, { n: 1.5 }), '"n" must be a whole number ≤ 3, got 1.5');
  assert.equal(error(schema, { n: 4 }), '"n" must be a whole number ≤ 3, got 4');
});

Deno.test("schema: the document says what is enforced (minItems, key pattern, at most so many keys)", () => {
  const add = toJsonSchema({ type: "object", ...ADD_STRATEGY_BODY }) as {
    properties: Record<string, Record<string, unknown>>;
  };
  assert.equal(add.properties.symbols.minItems, 1);
  assert.equal(add.properties.params.maxProperties, 50);
  assert.deepEqual(add.properties.params.propertyNames, {
    type: "string",
    maxLength: 64,
    pattern: "^[A-Za-z_][A-Za-z0-9_]*$",
    description: "a parameter name",
  });
  assert.equal(add.properties.capital.exclusiveMinimum, 0);
});

Deno.test("schema: backtest options and path parameters", () => {
  assert.equal(
    error(BACKTEST_BODY, { reason: "r", fill: "later" }),
    '"fill" must be one of next_open, close, got "later"',
  );
  assert.match(error(BACKTEST_BODY, { reason: "r", out: "/tmp" }) ?? "", /^unknown field "out" \(known: strategy, /);
  // A risk file is given as its object: the daemon reads no path a caller names.
  assert.equal(error(BACKTEST_BODY, { reason: "r", risk: "/etc/passwd" }), '"risk" must be an object, got string');
  const risk = { risk: { maxPositionQty: 5, quarantinePolicy: "keep" }, limits: { maxLoss: 3 } };
  assert.equal(error(BACKTEST_BODY, { reason: "r", risk, spreadMode: "entry", commissionPerUnit: 0.01 }), undefined);
  const id = { id: { type: "string", maxLength: 8, pattern: "^[a-z]+$" } } as const;
  assert.equal(checkParams(id, { id: "abc" }), undefined);
  assert.equal(checkParams(id, { id: "ABC" }), '"id" must match ^[a-z]+$, got "ABC"');
  // A pattern matches the whole value, not a part of it.
  assert.notEqual(checkParams(id, { id: "abc/../x" }), undefined);
});
