/** The live config's `api` section: defaults, paths made absolute, and every mistake named by its JSON path. */
import assert from "node:assert/strict";
import { LiveConfigError, resolveLiveConfig } from "../../actors/system/live_config.ts";
import { paperConfig } from "./helpers.ts";

const resolve = (api: unknown) =>
  resolveLiveConfig(paperConfig("/tmp/unused", api === undefined ? {} : { api }), {
    env: () => undefined,
    baseDir: "/etc/tradeactor",
  });

Deno.test("live config api: nothing reachable by default; paths relative to the file", async () => {
  assert.deepEqual((await resolve(undefined)).api, { dataDirs: [], backtest: { workers: 1, queue: 8 } });
  const api = (await resolve({ strategiesDir: "mine", dataDirs: ["../data", "/srv/bars"], backtest: { workers: 2 } }))
    .api;
  assert.deepEqual(api, {
    strategiesDir: "/etc/tradeactor/mine",
    dataDirs: ["/etc/data", "/srv/bars"],
    backtest: { workers: 2, queue: 8 },
  });
});

Deno.test("live config api: every mistake is reported with its JSON path", async () => {
  const err = await resolve({ strategyDir: "x", dataDirs: "data", backtest: { workers: 0, queue: 1.5, size: 3 } })
    .then(() => undefined, (e) => e);
  assert.ok(err instanceof LiveConfigError);
  assert.deepEqual(err.problems.map((p) => p.field), [
    "api.strategyDir",
    "api.dataDirs",
    "api.backtest.size",
    "api.backtest.workers",
    "api.backtest.queue",
  ]);
  assert.match(err.problems[0].why, /did you mean "strategiesDir"/);
});
