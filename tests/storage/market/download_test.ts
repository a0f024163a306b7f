/**
 * The cached downloader, proven by counting requests: ccxt's real binance client talks to a local fake server that
 * speaks Binance's kline format.
 */
import assert from "node:assert/strict";
import { countCandles, listGaps, readCandles } from "../../../storage/market/candles.ts";
import { downloadCandles } from "../../../storage/market/download.ts";
import { createExchange } from "../../../storage/market/exchange.ts";
import { type FakeBinance, startFakeBinance } from "../../fakes/binance_http.ts";
import { openTestSqlite, type TestDb } from "../services.ts";

const MIN = 60_000;
const T0 = Date.UTC(2024, 0, 1);
const NOW = T0 + 10_000 * MIN; // the fake's data ends well before "now"
const at = (m: number) => T0 + m * MIN;
// The venue has candles for minutes 0..5999 except 4100..4109 (an outage on its side).
const ROWS = Array.from({ length: 6000 }, (_, m) => m)
  .filter((m) => m < 4100 || m >= 4110)
  .map((m) => [at(m), 100 + m, 101 + m, 99 + m, 100.5 + m, 1 + m]);
const REQ = { venue: "binance", symbol: "BTC/USDT", timeframe: "1m" } as const;

async function withFake(
  run: (fake: FakeBinance, t: TestDb) => Promise<void>,
  failKlinesAfter?: number,
): Promise<void> {
  const fake = startFakeBinance({
    markets: [{ id: "BTCUSDT", base: "BTC", quote: "USDT" }],
    klines: { "BTCUSDT:1m": ROWS },
    failKlinesAfter,
  });
  const t = await openTestSqlite();
  try {
    await run(fake, t);
  } finally {
    await t.dispose();
    await fake.close();
  }
}

const startTimes = (fake: FakeBinance) =>
  fake.requests.filter((r) => r.path === "/api/v3/klines").map((r) => Number(r.params.startTime));

Deno.test("download: pages through ccxt, then a cached range costs 0 requests and an overlap only the missing part", async () => {
  await withFake(async (fake, { database: { db } }) => {
    const opts = { pageLimit: 1000, now: () => NOW };
    const first = await downloadCandles(db, createExchange("binance", { apiUrl: fake.url }), {
      ...REQ,
      from: at(0),
      to: at(2500),
    }, opts);
    assert.equal(first.requests, 3);
    assert.equal(fake.count("/api/v3/klines"), 3);
    assert.deepEqual(startTimes(fake), [at(0), at(1000), at(2000)]);
    // ccxt sent Binance's own parameters: interval, limit and the part's end as endTime.
    assert.deepEqual(fake.requests.find((r) => r.path === "/api/v3/klines")?.params, {
      symbol: "BTCUSDT",
      interval: "1m",
      limit: "1000",
      startTime: String(at(0)),
      endTime: String(at(2500) - 1),
    });
    assert.equal(await countCandles(db, REQ), 2500);
    const c = await readCandles(db, REQ, { from: at(1999), to: at(2001) });
    assert.deepEqual([...c.close], [2099.5, 2100.5]);

    // A fresh client, as a new process would have: the fully cached range asks nothing at all, not even markets.
    const before = fake.count();
    const again = await downloadCandles(db, createExchange("binance", { apiUrl: fake.url }), {
      ...REQ,
      from: at(0),
      to: at(2500),
    }, opts);
    assert.equal(again.requests, 0);
    assert.equal(fake.count(), before);

    // Overlapping 2000..3999: only 2500..3999 is asked for, in two pages.
    const overlap = await downloadCandles(db, createExchange("binance", { apiUrl: fake.url }), {
      ...REQ,
      from: at(2000),
      to: at(4000),
    }, opts);
    assert.deepEqual(overlap.missing, [{ start: at(2500), end: at(4000) }]);
    assert.equal(overlap.requests, 2);
    assert.deepEqual(startTimes(fake), [at(0), at(1000), at(2000), at(2500), at(3500)]);
    assert.equal(await countCandles(db, REQ), 4000);
    assert.deepEqual(await listGaps(db, REQ), []);
  });
});

Deno.test("download: a hole on the venue's side is remembered and not asked for again", async () => {
  await withFake(async (fake, { database: { db } }) => {
    const exchange = createExchange("binance", { apiUrl: fake.url });
    const opts = { now: () => NOW };
    const first = await downloadCandles(db, exchange, { ...REQ, from: at(4000), to: at(4200) }, opts);
    assert.equal(first.requests, 1);
    assert.deepEqual(await listGaps(db, REQ), [{ start: at(4100), end: at(4110), missing: 10 }]);
    const again = await downloadCandles(db, exchange, { ...REQ, from: at(4050), to: at(4150) }, opts);
    assert.equal(again.requests, 0);
    assert.equal(fake.count("/api/v3/klines"), 1);
  });
});

Deno.test("download: an interrupted download keeps its pages and resumes with only the rest", async () => {
  await withFake(async (fake, { database: { db } }) => {
    const opts = { pageLimit: 500, now: () => NOW, retries: 0 };
    const request = { ...REQ, from: at(0), to: at(2000) };
    await assert.rejects(downloadCandles(db, createExchange("binance", { apiUrl: fake.url }), request, opts));
    assert.equal(await countCandles(db, REQ), 1000); // two pages committed before the venue failed
  }, 2);
  await withFake(async (fake, { database: { db } }) => {
    const opts = { pageLimit: 500, now: () => NOW, retries: 0 };
    await downloadCandles(
      db,
      createExchange("binance", { apiUrl: fake.url }),
      { ...REQ, from: at(0), to: at(1000) },
      opts,
    );
    const resumed = await downloadCandles(db, createExchange("binance", { apiUrl: fake.url }), {
      ...REQ,
      from: at(0),
      to: at(2000),
    }, opts);
    assert.equal(resumed.requests, 2);
    assert.deepEqual(startTimes(fake).slice(-2), [at(1000), at(1500)]);
    assert.equal(await countCandles(db, REQ), 2000);
  });
});

Deno.test("download: the candle still open at `now` is not stored", async () => {
  await withFake(async (fake, { database: { db } }) => {
    const now = at(100) + 30_000; // half-way through minute 100
    const result = await downloadCandles(db, createExchange("binance", { apiUrl: fake.url }), {
      ...REQ,
      from: at(0),
      to: at(200),
    }, { now: () => now });
    assert.deepEqual(result.missing, [{ start: at(0), end: at(100) }]);
    assert.equal(await countCandles(db, REQ), 100);
  });
});

Deno.test("data download (CLI): fetches through ccxt, then reports the range as all cached", async () => {
  const { runCli } = await import("../cli_helpers.ts");
  await withFake(async (fake) => {
    const dir = await Deno.makeTempDir({ prefix: "ta_dl_" });
    try {
      const args = ["download", "--symbol", "BTC/USDT", "--timeframe", "1m", "--from", "2024-01-01T00:00"];
      const range = [...args, "--to", "2024-01-01T01:00", "--api-url", fake.url, "--data-dir", dir];
      const first = await runCli(range);
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, /downloaded 60 candles of BTC\/USDT 1m from binance in 1 requests/);
      const again = await runCli(range);
      assert.match(again.stdout, /downloaded 0 candles .* in 0 requests \(all cached\)/);
      assert.equal(fake.count("/api/v3/klines"), 1);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
});
