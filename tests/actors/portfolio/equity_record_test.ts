/** The backtest equity record: allocated once for the expected bars, still correct when more come. */
import assert from "node:assert/strict";
import { createInProcessHost, type Message } from "../../../actors/runtime/mod.ts";
import type { PortfolioRecord } from "../../../actors/portfolio/portfolio.ts";

const PORTFOLIO = new URL("../../../actors/portfolio/portfolio.ts", import.meta.url).href;

async function record(expectedBars: number | undefined, bars: number) {
  const host = createInProcessHost({ logSink: () => {} });
  await host.start({
    kind: "actor",
    id: "portfolio",
    module: PORTFOLIO,
    config: { capital: { s: 10_000 }, recordEquity: true, ...(expectedBars === undefined ? {} : { expectedBars }) },
  });
  for (let i = 0; i < bars; i++) host.tell("portfolio", { type: "MarkToMarket", ts: 1_000 * (i + 1), bars: [] });
  const out = await host.ask<Message & PortfolioRecord>("portfolio", { type: "GetRecord" }, 5_000);
  await host.stop();
  return out;
}

Deno.test("equity record: the expected bar count, fewer, or more than expected all record every bar", async () => {
  for (const [expected, bars] of [[3_000, 3_000], [3_000, 10], [5, 2_500], [undefined, 2_500], [0, 3]] as const) {
    const r = await record(expected, bars);
    assert.equal(r.ts.length, bars, `expected ${expected}, ${bars} bars`);
    assert.equal(r.equity.length, bars);
    assert.deepEqual(Array.from(r.ts), Array.from({ length: bars }, (_, i) => 1_000 * (i + 1)));
    assert.ok(r.equity.every((e) => e === 10_000));
  }
});

Deno.test("equity record: a bad expectedBars is refused at start", async () => {
  for (const bad of [-1, 1.5, "10"]) {
    const host = createInProcessHost({ logSink: () => {} });
    await assert.rejects(
      () =>
        host.start({
          kind: "actor",
          id: "portfolio",
          module: PORTFOLIO,
          config: { capital: { s: 1 }, recordEquity: true, expectedBars: bad },
        }),
      /expectedBars/,
    );
    await host.stop().catch(() => {});
  }
});
