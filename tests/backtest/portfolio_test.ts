/**
 * Portfolio backtests: several strategies, each with its symbols, params, capital and limits, in one simulated
 * account, from a file in the live config's shape (read by the live config's parser) or from several --strategy flags.
 */
import assert from "node:assert/strict";
import { fileURLToPath as fromFileUrl } from "node:url";
import { type BacktestOptions, resolveBacktestOptions, runBacktestJob } from "../../cli/backtest.ts";
import { UsageError } from "../../cli/args.ts";

const DATA = fromFileUrl(new URL("../../../shared/data/backtrader/", import.meta.url));
const LIVE_EXAMPLE = fromFileUrl(new URL("../../deploy/live.example.json", import.meta.url));

export const PORTFOLIO = {
  cash: 100_000,
  commission: 0.001,
  data: [`NVDA=${DATA}nvda-1999-2014.txt`, `ORCL=${DATA}orcl-1995-2014.txt`],
  strategies: [
    { id: "ma-nvda", strategy: "sma_cross", symbols: ["NVDA"], params: { fast: 10, slow: 40 }, weight: 0.6 },
    { id: "mr-orcl", strategy: "mean_reversion", symbols: ["ORCL"], weight: 0.4 },
  ],
};

async function run(options: BacktestOptions) {
  const out = await Deno.makeTempDir();
  try {
    const result = await runBacktestJob({ ...options, out }, "", { warn: () => {} });
    const json = await Deno.readTextFile(`${out}/report.json`);
    return { result, json };
  } finally {
    await Deno.remove(out, { recursive: true });
  }
}

Deno.test("portfolio: each strategy trades its own symbols with its own capital, in one account", async () => {
  const options = await resolveBacktestOptions(PORTFOLIO);
  assert.deepEqual(options.portfolio?.strategies.map((s) => [s.id, s.symbols, s.capital]), [
    ["ma-nvda", ["NVDA"], 60_000],
    ["mr-orcl", ["ORCL"], 40_000],
  ]);
  const { result } = await run(options);
  const trades = result.record.trades;
  const symbolsOf = (id: string) => new Set(trades.filter((t) => t.strategyId === id).map((t) => t.symbol));
  assert.deepEqual(symbolsOf("ma-nvda"), new Set(["NVDA"]));
  assert.deepEqual(symbolsOf("mr-orcl"), new Set(["ORCL"]));
  // The account is the sum of its strategies: total equity = Σ per-strategy equity at every bar.
  const { equity, perStrategy } = result.record;
  for (const i of [0, Math.floor(equity.length / 2), equity.length - 1]) {
    assert.ok(Math.abs(equity[i] - perStrategy["ma-nvda"][i] - perStrategy["mr-orcl"][i]) < 1e-6);
  }
  assert.equal(result.input.initialCash, 100_000);
  // The first entry of each is sized from its own capital, not the account's.
  const first = (id: string) => trades.find((t) => t.strategyId === id)!;
  assert.ok(Math.abs(first("ma-nvda").size) * first("ma-nvda").entryPrice <= 60_000);
  assert.ok(Math.abs(first("ma-nvda").size) * first("ma-nvda").entryPrice > 40_000);
});

Deno.test("portfolio: the same file gives the same report bytes (deterministic)", async () => {
  const a = await run(await resolveBacktestOptions(PORTFOLIO));
  const b = await run(await resolveBacktestOptions(PORTFOLIO));
  assert.equal(a.json, b.json);
});

Deno.test("portfolio: per-strategy limits (the live config's strategies[].limits) and account limits bind", async () => {
  const limited = {
    ...PORTFOLIO,
    strategies: [
      { ...PORTFOLIO.strategies[0], limits: { maxPositionQty: 100 } },
      PORTFOLIO.strategies[1],
    ],
    risk: { maxPositionQty: 250 },
  };
  const { result } = await run(await resolveBacktestOptions(limited));
  const sizes = (id: string) => result.record.trades.filter((t) => t.strategyId === id).map((t) => Math.abs(t.size));
  assert.ok(sizes("ma-nvda").length > 0 && Math.max(...sizes("ma-nvda")) <= 100);
  assert.ok(sizes("mr-orcl").length > 0 && Math.max(...sizes("mr-orcl")) <= 250);
  const free = await run(await resolveBacktestOptions(PORTFOLIO));
  const freeSizes = free.result.record.trades.filter((t) => t.strategyId === "mr-orcl").map((t) => Math.abs(t.size));
  assert.ok(Math.max(...freeSizes) > 250, "without the limit the mean reversion strategy trades more than 250");
});

Deno.test("portfolio: the live example config runs as a backtest (one file for paper and backtest)", async () => {
  const file = JSON.parse(await Deno.readTextFile(LIVE_EXAMPLE));
  const options = await resolveBacktestOptions(file, {}, fromFileUrl(new URL("../../deploy/", import.meta.url)));
  assert.equal(options.run.cash, 10_000); // venue.initialCash
  assert.equal(options.portfolio?.strategies.length, 2);
  assert.deepEqual(options.portfolio?.strategies[0].limits, { maxPositionQty: 100, maxLoss: 3000, maxDrawdown: 0.5 });
  assert.deepEqual(options.portfolio?.risk, { maxOrdersPerMinute: 600 });
  const { result } = await run(options);
  assert.ok(result.record.trades.some((t) => t.strategyId === "ma-goog"));
  assert.ok(result.record.trades.some((t) => t.strategyId === "mr-goog"));
  // The paper venue's commission is the backtest's default.
  assert.ok(result.report.commissions > 0);
});

Deno.test("portfolio: cash no strategy was given stays in the account's equity", async () => {
  const half = {
    ...PORTFOLIO,
    strategies: [{ ...PORTFOLIO.strategies[0], weight: 0.3 }, { ...PORTFOLIO.strategies[1], weight: 0.2 }],
  };
  const { result } = await run(await resolveBacktestOptions(half));
  assert.ok(Math.abs(result.input.equity[0] - 100_000) < 1_000, `first equity ${result.input.equity[0]}`);
  const last = result.record.equity.length - 1;
  const strategies = result.record.perStrategy["ma-nvda"][last] + result.record.perStrategy["mr-orcl"][last];
  assert.ok(Math.abs(result.input.equity[last] - strategies - 50_000) < 1e-6);
});

Deno.test("portfolio: mistakes are named with their JSON path, before anything runs", async () => {
  const bad = async (file: Record<string, unknown>, pattern: RegExp) => {
    await assert.rejects(() => resolveBacktestOptions(file), (err: Error) => {
      assert.ok(err instanceof UsageError, err.message);
      assert.match(err.message, pattern);
      return true;
    });
  };
  const s = PORTFOLIO.strategies;
  await bad({ ...PORTFOLIO, strategies: [{ ...s[0], weight: 1.5 }, s[1]] }, /strategies\[0\]\.weight: .*\(0, 1\]/);
  await bad({ ...PORTFOLIO, strategies: [{ ...s[0], capital: 5 }, s[1]] }, /strategies\[0\]: give capital or weight/);
  await bad({ ...PORTFOLIO, strategies: [{ ...s[0], weight: 0.7 }, s[1]] }, /strategies\[1\]\.capital: .*above/);
  await bad(
    { ...PORTFOLIO, strategies: [{ ...s[0], limits: { maxLoss: -1 } }, s[1]] },
    /strategies\[0\]\.limits\.maxLoss/,
  );
  await bad(
    { ...PORTFOLIO, strategies: [{ ...s[0], symbols: ["AAPL"] }, s[1]] },
    /strategies\[0\]\.symbols\[0\]: no feed/,
  );
  await bad({ ...PORTFOLIO, strategies: [{ ...s[0], params: { fast: 50 } }, s[1]] }, /strategies\[0\]\.params/);
  await bad({ ...PORTFOLIO, risk: { maxPositon: 5 } }, /risk\.maxPositon: unknown field/);
  await bad({ ...PORTFOLIO, data: undefined }, /needs its bars/);
});

Deno.test("portfolio: several --strategy flags share the cash; --param ID.NAME sets one strategy's parameter", async () => {
  const goog = fromFileUrl(new URL("../../examples/data/GOOG.csv", import.meta.url));
  const options = await resolveBacktestOptions({}, {
    strategy: ["sma_cross", "fast=sma_cross"],
    param: ["sma_cross.fast=5", "fast.fast=20"],
    data: [goog],
  });
  assert.deepEqual(options.portfolio?.strategies.map((s) => [s.id, s.params.fast, s.capital]), [
    ["sma_cross", "5", 5_000],
    ["fast", "20", 5_000],
  ]);
  await assert.rejects(
    () => resolveBacktestOptions({}, { strategy: ["sma_cross", "momentum"], param: ["fast=5"], data: [goog] }),
    /--param fast: with several strategies, name the strategy/,
  );
  // A single-strategy file with several --strategy flags: the flags' strategies replace its own.
  const replaced = await resolveBacktestOptions({ strategy: "momentum", params: { lookback: 5 }, data: [goog] }, {
    strategy: ["sma_cross", "mean_reversion"],
  });
  assert.deepEqual(replaced.portfolio?.strategies.map((s) => s.id), ["sma_cross", "mean_reversion"]);
  await assert.rejects(
    () => resolveBacktestOptions(PORTFOLIO, { strategy: ["sma_cross"] }),
    /--strategy sma_cross: the --config file has "strategies"/,
  );
  const { result } = await run(options);
  const count = (id: string) => result.record.trades.filter((t) => t.strategyId === id).length;
  assert.ok(count("sma_cross") > count("fast"), "the faster average trades more often");
});

Deno.test("portfolio CLI: the README's example file runs, paths relative to the file, every output written", async () => {
  const out = await Deno.makeTempDir();
  try {
    const root = fromFileUrl(new URL("../../", import.meta.url));
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "main.ts", "backtest", "--config", "examples/portfolio.json", "--out", out],
      cwd: root,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(r.stdout);
    assert.equal(r.code, 0, new TextDecoder().decode(r.stderr));
    assert.match(stdout, /^Strategy\s+ma-nvda\s+mr-orcl$/m);
    const report = JSON.parse(await Deno.readTextFile(`${out}/report.json`));
    assert.deepEqual(Object.keys(report.strategies), ["ma-nvda", "mr-orcl"]);
    assert.deepEqual(report.strategies["ma-nvda"].symbols, ["NVDA"]);
    assert.equal(report.allocation.method, "inverse_vol");
    assert.ok(report.allocation.rebalances.length > 200);
    assert.deepEqual(report.correlation.symbols.labels, ["NVDA", "ORCL"]);
    const html = await Deno.readTextFile(`${out}/report.html`);
    assert.match(html, /<svg id="strategy-heatmap"/);
    for (const id of ["ma-nvda", "mr-orcl"]) await Deno.stat(`${out}/strategies/${id}/trades.csv`);
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
