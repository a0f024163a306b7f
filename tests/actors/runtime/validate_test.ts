/** Validation helpers: edit distance, "did you mean", number ranges. */
import assert from "node:assert/strict";
import { closest, editDistance, numberProblem, unknownKey } from "../../../actors/runtime/validate.ts";

Deno.test("validate: edit distance counts insertions, deletions and substitutions", () => {
  assert.equal(editDistance("", ""), 0);
  assert.equal(editDistance("port", "port"), 0);
  assert.equal(editDistance("", "abc"), 3);
  assert.equal(editDistance("kitten", "sitting"), 3);
  assert.equal(editDistance("prot", "port"), 2);
  assert.equal(editDistance("maxPositon", "maxPositionQty"), 4);
});

Deno.test("validate: closest finds likely typos only", () => {
  const keys = ["maxPositionQty", "maxGrossExposure", "maxOrderNotional", "maxDrawdown", "minNotional"];
  assert.equal(closest("maxPositon", keys), "maxPositionQty");
  assert.equal(closest("maxdrawdown", keys), "maxDrawdown");
  assert.equal(closest("maxOrderNotionl", keys), "maxOrderNotional");
  assert.equal(closest("banana", keys), undefined);
  assert.equal(closest("db", ["id", "mode"]), undefined);
  assert.equal(closest("webhook", ["webhookUrl"]), "webhookUrl");
  assert.match(unknownKey("prot", ["hostname", "port"]), /did you mean "port"\?/);
  assert.equal(unknownKey("zzz", ["hostname", "port"]), "unknown field (known: hostname, port)");
});

Deno.test("validate: number ranges, whole numbers and finiteness", () => {
  const port = { min: 0, max: 65_535, integer: true };
  assert.equal(numberProblem(8787, port), undefined);
  assert.equal(numberProblem(0, port), undefined);
  assert.match(numberProblem(70_000, port)!, /must be a whole number ≥ 0 and ≤ 65535, got 70000/);
  assert.match(numberProblem(80.5, port)!, /got 80\.5/);
  assert.match(numberProblem("8080", port)!, /got "8080"/);
  const fraction = { min: 0, below: 0.1 };
  assert.equal(numberProblem(0.002, fraction), undefined);
  assert.match(numberProblem(0.1, fraction)!, /< 0\.1, got 0\.1/);
  assert.match(numberProblem(Infinity, { min: 0 })!, /got Infinity/);
  assert.match(numberProblem(NaN, {})!, /got NaN/);
  assert.match(numberProblem(0, { above: 0, hint: "why" })!, /must be a number > 0 \(why\), got 0/);
});
