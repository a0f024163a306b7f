import assert from "node:assert/strict";
import { snapPrice, snapQty } from "../../../actors/exchange/snap.ts";

Deno.test("quantities round toward zero to the step, exactly in decimal", () => {
  assert.equal(snapQty(1.23456, 0.001), 1.234);
  assert.equal(snapQty(0.3, 0.1), 0.3); // 0.3/0.1 = 2.9999999999999996 in binary
  assert.equal(snapQty(-1.99, 1), -1);
  assert.equal(snapQty(0.00009, 0.0001), 0);
  assert.equal(snapQty(7.5, 0), 7.5); // no step: unchanged
  assert.ok(!Object.is(snapQty(-0.4, 1), -0));
});

Deno.test("prices snap to the tick: nearest (ties away from zero), or down/up when a side must not be worse", () => {
  assert.equal(snapPrice(0.1 + 0.2, 0.01), 0.3);
  assert.equal(snapPrice(101.255, 0.01), 101.26);
  assert.equal(snapPrice(101.259, 0.01, "down"), 101.25);
  assert.equal(snapPrice(101.251, 0.01, "up"), 101.26);
  assert.equal(snapPrice(12345.678, 0.5), 12345.5);
  assert.equal(snapPrice(3.14159, 0), 3.14159);
});
