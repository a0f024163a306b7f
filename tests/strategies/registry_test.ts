import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { BUILT_INS, resolveStrategy, StrategyNotFoundError } from "../../strategies/registry.ts";

const ROOT = new URL("../../", import.meta.url);

Deno.test("built-in names resolve to their modules, which load", async () => {
  assert.deepEqual(Object.keys(BUILT_INS), ["sma_cross", "mean_reversion", "momentum"]);
  for (const name of Object.keys(BUILT_INS)) {
    const r = resolveStrategy(name);
    assert.equal(r.name, name);
    const mod = await import(r.module);
    assert.equal(mod.default.name, name);
  }
});

Deno.test("a path resolves relative to the given cwd, absolute paths and file: URLs as they are", () => {
  const cwd = fromFileUrl(ROOT);
  const want = new URL("examples/my_strategy.ts", ROOT).href;
  assert.deepEqual(resolveStrategy("./examples/my_strategy.ts", cwd), { module: want, name: "my_strategy" });
  assert.deepEqual(resolveStrategy("examples/my_strategy.ts", cwd).module, want);
  assert.equal(resolveStrategy(fromFileUrl(want), "/").module, want);
  assert.equal(resolveStrategy(want, "/").module, want);
});

Deno.test("neither a built-in nor a file: the error lists the built-ins", () => {
  assert.throws(() => resolveStrategy("sma_crossover"), (e: Error) => {
    assert.ok(e instanceof StrategyNotFoundError);
    assert.match(e.message, /Unknown strategy "sma_crossover".*sma_cross, mean_reversion, momentum/);
    return true;
  });
  assert.throws(
    () => resolveStrategy("./nowhere/mine.ts", "/tmp"),
    /no file at \/tmp\/nowhere\/mine\.ts, and not a built-in \(sma_cross, mean_reversion, momentum\)/,
  );
});
