/**
 * The README's "first strategy" path, as a new user takes it: a file of their own, found through the registry's
 * path resolution, backtested without touching framework code, its parameters overridable and checked.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { loadBars } from "../../storage/bars/mod.ts";
import { BacktestError, runBacktest } from "../../backtest/engine.ts";
import { resolveStrategy } from "../../strategies/registry.ts";
import { ParamError } from "../../strategies/params.ts";

const ROOT = fromFileUrl(new URL("../../", import.meta.url));
const GOOG = new URL("../../../shared/data/backtesting_py/GOOG.csv", import.meta.url);

Deno.test("examples/my_strategy.ts backtests through the registry", async () => {
  const { module, name } = resolveStrategy("./examples/my_strategy.ts", ROOT);
  assert.equal(name, "my_strategy");
  const { series } = await loadBars(GOOG, { symbol: "GOOG" });
  const run = (params?: Record<string, unknown>) =>
    runBacktest({ strategies: [{ id: name, module, ...(params ? { params } : {}) }], data: [series], cash: 10_000 });
  const result = await run();
  assert.ok(result.report.tradeCount > 0, "it trades");
  assert.ok(result.input.trades.every((t) => t.size > 0), "long only");
  const tuned = await run({ period: 7, buyBelow: "25" });
  assert.notEqual(tuned.report.equityFinal, result.report.equityFinal);
  await assert.rejects(
    () => run({ buyBelow: 80 }),
    (e: Error) => e instanceof ParamError || e instanceof BacktestError,
  );
  await assert.rejects(() => run({ period: 1 }), /parameter "period" must be an integer in \[2, 100\], got 1/);
});

Deno.test("the example stays about 20 lines", async () => {
  const text = await Deno.readTextFile(new URL("../../examples/my_strategy.ts", import.meta.url));
  assert.ok(text.trim().split("\n").length <= 25);
});

Deno.test("the README shows examples/my_strategy.ts verbatim, and its backtest command works", async () => {
  const readme = await Deno.readTextFile(new URL("../../README.md", import.meta.url));
  const file = await Deno.readTextFile(new URL("../../examples/my_strategy.ts", import.meta.url));
  assert.ok(readme.includes("// examples/my_strategy.ts\n" + file), "README copy differs from examples/my_strategy.ts");
  const command = readme.match(/deno task backtest (--strategy \.\/examples\/my_strategy\.ts[^\n]*)/)![1].split(" ");
  const out = await Deno.makeTempDir();
  const run = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "backtest", ...command, "--out", out],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  await Deno.remove(out, { recursive: true });
  assert.equal(run.code, 0, new TextDecoder().decode(run.stderr));
  assert.match(new TextDecoder().decode(run.stdout), /# Trades/);
});
