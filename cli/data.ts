/**
 * `deno task data <command>`: download, import, check, list and export market data in the candle store.
 * Results go to stdout, progress and errors to stderr. Exit codes: 0 ok, 1 failed or problems found, 2 bad usage.
 */
import { basename, dirname, extname, join, resolve } from "node:path";
import { type Database, openDatabase } from "../storage/db.ts";
import { countCandles, listSeries, readCandles, type SeriesKey, upsertCandles } from "../storage/market/candles.ts";
import type { Candles } from "../storage/market/columns.ts";
import { type CandleFile, CandleFileError, readCandleFile } from "../storage/market/import.ts";
import {
  checkCandles,
  formatReport,
  issueCount,
  type QualityOptions,
  type QualityReport,
} from "../storage/market/quality.ts";
import { resample } from "../storage/market/resample.ts";
import { parseTimeframe, type StoreTimeframe } from "../storage/market/timeframe.ts";
import { isTimeframe } from "../actors/protocol/market.ts";
import { type Calendar, CALENDARS, inferCalendar, isCalendar } from "../storage/bars/mod.ts";
import type { DownloadRequest, OhlcvSource } from "../storage/market/download.ts";
import { type Options, parseCommandLine, UsageError } from "./args.ts";
import { type CommandLog, commandLog } from "./log.ts";

const USAGE = `Usage: deno task data <command> [options]

Commands:
  download  --exchange binance --symbol BTC/USDT --timeframe 1h --from 2024-01-01 [--to DATE] [--venue NAME]
            [--api-url URL]   fetch candles through ccxt; only what the store lacks is asked for
            --exchange ib [--ib HOST:PORT[:CLIENT_ID]] [--ib-contract JSON]   the same from TWS / IB Gateway
            (default 127.0.0.1:7497:9; a symbol is a SMART stock in USD, EUR/USD forex, unless --ib-contract says)
  import    PATH... [--venue local] [--symbol S] [--timeframe TF] [--batch 5000]
            freqtrade JSON ([[ms,o,h,l,c,v],...], named BASE_QUOTE-TF.json), backtesting.py CSV
            (,Open,High,Low,Close,Volume), or the backtrader/Yahoo/Stock.Indicators CSV layouts (.csv, .txt);
            a folder imports every .json and .csv in it
  check     [PATH...] [--venue V --symbol S --timeframe TF] [--calendar 24x7|nyse|sessions]
            [--spike-threshold 12] [--json]   quality report of files, of one stored series, or (no argument)
            of every stored series; gaps by each series' market calendar (default: inferred from the data;
            --ignore-weekends = sessions); exits 1 when it finds a problem (a gap counts)
  list      [--json]   stored series with counts and time ranges
  export    --venue V --symbol S --timeframe TF [--from DATE] [--to DATE] [--resample TF]
            [--format csv|json] [--out FILE]   (default: CSV to stdout)

Common options:
  --db URL         postgres://user@host:port/db or sqlite:PATH (default: SQLite in --data-dir)
  --data-dir DIR   default ./data
  -h, --help

Results go to stdout, progress and errors to stderr; logs are JSON lines on stderr at TRADEACTOR_LOG's level
(default warn). Exit codes: 0 ok, 1 failed or problems found, 2 bad usage.`;

const COMMON: Options = {
  db: { type: "string" },
  "data-dir": { type: "string" },
  help: { type: "boolean", short: "h" },
};
const KEY: Options = { venue: { type: "string" }, symbol: { type: "string" }, timeframe: { type: "string" } };
type Values = Record<string, string | boolean | undefined>;

let log: CommandLog | undefined;

export async function runDataCommand(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  log = commandLog(`data ${command ?? ""}`.trim());
  try {
    switch (command) {
      case "download":
        return await download(
          parse(rest, {
            ...KEY,
            exchange: { type: "string" },
            from: { type: "string" },
            to: { type: "string" },
            "api-url": { type: "string" },
            ib: { type: "string" },
            "ib-contract": { type: "string" },
          }),
        );
      case "import":
        return await importFiles(parse(rest, { ...KEY, batch: { type: "string" } }));
      case "check":
        return await check(
          parse(rest, {
            ...KEY,
            "ignore-weekends": { type: "boolean" },
            calendar: { type: "string" },
            "spike-threshold": { type: "string" },
            json: { type: "boolean" },
          }),
        );
      case "list":
        return await list(parse(rest, { json: { type: "boolean" } }));
      case "export":
        return await exportSeries(
          parse(rest, {
            ...KEY,
            from: { type: "string" },
            to: { type: "string" },
            resample: { type: "string" },
            format: { type: "string" },
            out: { type: "string" },
          }),
        );
      case undefined:
      case "help":
      case "--help":
      case "-h":
        console.log(USAGE);
        return 0;
      default:
        throw new UsageError(`Unknown data command "${command}"`);
    }
  } catch (error) {
    if (error instanceof Help) {
      console.log(USAGE);
      return 0;
    }
    const usage = error instanceof UsageError;
    console.error(`data ${command ?? ""}: ${(error as Error).message}`);
    if (usage) console.error(`Run "deno task data --help" for usage.`);
    return usage ? 2 : 1;
  }
}

class Help extends Error {}

function parse(args: string[], options: Options): { values: Values; positionals: string[] } {
  const { values, positionals } = parseCommandLine(args, { ...COMMON, ...options }, true);
  if (values.help) throw new Help();
  return { values: values as Values, positionals };
}

function str(values: Values, name: string): string | undefined {
  return values[name] as string | undefined;
}

function required(values: Values, name: string): string {
  const v = str(values, name);
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
}

async function withDb<T>(values: Values, run: (database: Database) => Promise<T>): Promise<T> {
  const database = await openDatabase({ url: str(values, "db"), dataDir: str(values, "data-dir") });
  log?.debug("database open", { location: database.location });
  try {
    return await run(database);
  } finally {
    await database.close();
  }
}

function parseDate(text: string, flag: string): number {
  const ms = /^\d+$/.test(text)
    ? Number(text)
    : Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(text) || text.length === 10 ? text : `${text}Z`);
  if (Number.isNaN(ms)) {
    throw new UsageError(`--${flag} "${text}" is not a date (use YYYY-MM-DD[THH:MM] UTC or epoch ms)`);
  }
  return ms;
}

const iso = (ts: number) => new Date(ts).toISOString().replace("T", " ").replace(/:00\.000Z$/, "");

/** Progress on stderr: one rewritten line on a terminal, plain lines otherwise (logs, pipes, tests). */
function progress(line: string): void {
  const text = Deno.stderr.isTerminal() ? `\r\x1b[2K${line}` : `${line}\n`;
  Deno.stderr.writeSync(new TextEncoder().encode(text));
}

function endProgress(): void {
  if (Deno.stderr.isTerminal()) Deno.stderr.writeSync(new TextEncoder().encode("\n"));
}

function keyFrom(values: Values): SeriesKey {
  return {
    venue: required(values, "venue"),
    symbol: required(values, "symbol"),
    timeframe: parseTimeframe(required(values, "timeframe"), "--timeframe"),
  };
}

async function download({ values }: { values: Values }): Promise<number> {
  const exchangeId = str(values, "exchange") ?? "binance";
  const timeframe = parseTimeframe(required(values, "timeframe"), "--timeframe");
  if (!isTimeframe(timeframe)) throw new UsageError(`--timeframe ${timeframe} cannot be downloaded; use 1m..1w`);
  const request = {
    venue: str(values, "venue") ?? exchangeId,
    symbol: required(values, "symbol"),
    timeframe,
    from: parseDate(required(values, "from"), "from"),
    to: values.to ? parseDate(str(values, "to")!, "to") : Date.now(),
  };
  // ccxt loads in about half a second: only when a download is really asked for.
  const { downloadCandles } = await import("../storage/market/download.ts");
  const exchange = exchangeId === "ib"
    ? await ibSource(values, request.symbol)
    : (await import("../storage/market/exchange.ts")).createExchange(exchangeId, { apiUrl: str(values, "api-url") });
  try {
    return await downloadTo(values, exchange, request, downloadCandles);
  } finally {
    // The IB source holds a socket to TWS; ccxt holds nothing.
    (exchange as { close?: () => void }).close?.();
  }
}

async function downloadTo(
  values: Values,
  exchange: OhlcvSource,
  request: DownloadRequest,
  downloadCandles: typeof import("../storage/market/download.ts").downloadCandles,
): Promise<number> {
  const timeframe = request.timeframe;
  return await withDb(values, async ({ db }) => {
    const result = await downloadCandles(db, exchange, request, {
      onProgress: (p) =>
        progress(`download: ${p.stored} candles stored, ${p.requests} requests, ~${p.remaining} to go`),
    });
    endProgress();
    const cached = result.missing.length === 0 ? " (all cached)" : "";
    console.log(
      `downloaded ${result.stored} candles of ${request.symbol} ${timeframe} from ${request.venue} in ${result.requests} requests${cached}`,
    );
    return 0;
  });
}

/** `--ib HOST:PORT[:CLIENT_ID]` and `--ib-contract JSON` → the IB historical-bars source. */
async function ibSource(values: Values, symbol: string) {
  const [host, port, clientId] = (str(values, "ib") ?? "127.0.0.1:7497:9").split(":");
  if (!host || !(Number(port) > 0) || (clientId !== undefined && !Number.isInteger(Number(clientId)))) {
    throw new UsageError(`--ib ${str(values, "ib")}: expected HOST:PORT[:CLIENT_ID], e.g. 127.0.0.1:4002:9`);
  }
  let contract: unknown;
  try {
    contract = values["ib-contract"] ? JSON.parse(str(values, "ib-contract")!) : undefined;
  } catch (err) {
    throw new UsageError(`--ib-contract is not JSON: ${(err as Error).message}`);
  }
  const { ibOhlcvSource, specFor } = await import("../actors/data_feed/ib/ohlcv_source.ts");
  const symbols = contract ? { [symbol]: contract } : {};
  try {
    specFor(symbol, symbols); // a bad contract is a usage error before anything connects
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return ibOhlcvSource({ host, port: Number(port), clientId: Number(clientId ?? 9), symbols });
}

async function expandPaths(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(path);
    } catch (error) {
      throw new CandleFileError(`Cannot read ${path}: ${(error as Error).message}`);
    }
    if (!info.isDirectory) out.push(path);
    else {
      const names = [];
      for await (const e of Deno.readDir(path)) if (e.isFile && /\.(json|csv)$/i.test(e.name)) names.push(e.name);
      out.push(...names.sort().map((n) => join(path, n)));
    }
  }
  return out;
}

/** Refuses a file with unusable values: better nothing stored than candles a backtest would choke on. */
function assertStorable(file: CandleFile): void {
  const report = checkCandles(file.path, file.candles, { timeframe: file.timeframe });
  const bad = report.invalid;
  if (bad.length > 0) {
    throw new CandleFileError(
      `Cannot import ${file.path}: ${bad.length} candle(s) have invalid values, the first at ${
        file.placeOf(bad[0].index)
      }: ${bad[0].detail}. Nothing was stored from this file.`,
    );
  }
}

async function importFiles({ values, positionals }: { values: Values; positionals: string[] }): Promise<number> {
  if (positionals.length === 0) throw new UsageError("import needs at least one file or folder");
  const batch = values.batch ? Number(values.batch) : 5000;
  if (!Number.isInteger(batch) || batch < 1) {
    throw new UsageError(`--batch "${values.batch}" is not a positive integer`);
  }
  if (values.timeframe) parseTimeframe(str(values, "timeframe")!, "--timeframe");
  const paths = await expandPaths(positionals);
  const venue = str(values, "venue") ?? "local";
  let failed = 0;
  await withDb(values, async ({ db }) => {
    for (const path of paths) {
      try {
        const file = await readCandleFile(path, { symbol: str(values, "symbol"), timeframe: str(values, "timeframe") });
        assertStorable(file);
        const key = { venue, symbol: file.symbol, timeframe: file.timeframe };
        const total = file.candles.length;
        await upsertCandles(db, key, file.candles, {
          batch,
          onCommit: (n) => progress(`import: ${basename(path)}: ${n}/${total} candles committed`),
        });
        endProgress();
        const stored = await countCandles(db, key);
        console.log(
          `imported ${total} candles of ${file.symbol} ${file.timeframe} from ${path} (venue ${venue}; ${stored} stored)`,
        );
      } catch (error) {
        if (!(error instanceof CandleFileError) && !(error as Error).message?.startsWith("Unknown timeframe")) {
          throw error;
        }
        failed++;
        console.error(`data import: ${(error as Error).message}`);
      }
    }
  });
  return failed > 0 ? 1 : 0;
}

async function check({ values, positionals }: { values: Values; positionals: string[] }): Promise<number> {
  const spikeThreshold = values["spike-threshold"] === undefined ? undefined : Number(values["spike-threshold"]);
  if (spikeThreshold !== undefined && !(spikeThreshold > 0 && Number.isFinite(spikeThreshold))) {
    throw new UsageError(`--spike-threshold must be a number > 0, got "${values["spike-threshold"]}"`);
  }
  const asked = str(values, "calendar") ?? (values["ignore-weekends"] ? "sessions" : undefined);
  if (asked !== undefined && !isCalendar(asked)) {
    throw new UsageError(`--calendar must be one of ${CALENDARS.join(", ")}, got "${asked}"`);
  }
  const base = { spikeThreshold };
  const json = Boolean(values.json);
  const reports: QualityReport[] = [];
  let problems = 0;
  const report = (label: string, c: Candles, timeframe: StoreTimeframe) => {
    // Each series by its own market's calendar unless one is given: a crypto pair 24x7, US shares the NYSE's.
    const options: QualityOptions = { ...base, timeframe, calendar: (asked as Calendar) ?? inferCalendar(c) };
    const r = checkCandles(label, c, options);
    problems += issueCount(r);
    reports.push(r);
    if (!json) console.log(formatReport(r));
  };
  if (positionals.length > 0) {
    for (const path of await expandPaths(positionals)) {
      const file = await readCandleFile(path, { symbol: str(values, "symbol"), timeframe: str(values, "timeframe") });
      report(`${path} ${file.symbol}`, file.candles, file.timeframe);
    }
  } else {
    await withDb(values, async ({ db }) => {
      const keys = values.venue || values.symbol || values.timeframe ? [keyFrom(values)] : await listSeries(db);
      if (keys.length === 0 && !json) console.log("No stored series: import or download some first.");
      for (const key of keys) report(`${key.venue} ${key.symbol}`, await readCandles(db, key), key.timeframe);
    });
  }
  if (json) console.log(JSON.stringify(reports.map((r) => ({ ...r, problems: issueCount(r) })), null, 2));
  else if (reports.length > 1) console.log(`\n${reports.length} series checked, ${problems} problem(s) found`);
  return problems > 0 ? 1 : 0;
}

async function list({ values }: { values: Values }): Promise<number> {
  return await withDb(values, async ({ db, location }) => {
    const series = await listSeries(db);
    if (values.json) {
      const rows = series.map((s) => ({
        ...s,
        first: new Date(s.first).toISOString(),
        last: new Date(s.last).toISOString(),
      }));
      console.log(JSON.stringify({ location, series: rows }, null, 2));
      return 0;
    }
    console.log(`${series.length} series in ${location}`);
    const rows = series.map((s) => [s.venue, s.symbol, s.timeframe, String(s.count), iso(s.first), iso(s.last)]);
    const header = ["venue", "symbol", "tf", "candles", "first (UTC)", "last (UTC)"];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
    for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
    return 0;
  });
}

function toCsv(c: Candles, timeframe: StoreTimeframe): string {
  const daily = timeframe === "1d" || timeframe === "1w" || timeframe === "1M";
  const date = (ts: number) =>
    daily ? new Date(ts).toISOString().slice(0, 10) : new Date(ts).toISOString().slice(0, 19).replace("T", " ");
  const lines = [",Open,High,Low,Close,Volume"];
  for (let i = 0; i < c.length; i++) {
    lines.push(`${date(c.ts[i])},${c.open[i]},${c.high[i]},${c.low[i]},${c.close[i]},${c.volume[i]}`);
  }
  return lines.join("\n") + "\n";
}

function toJson(c: Candles): string {
  const rows = Array.from(
    { length: c.length },
    (_, i) => [c.ts[i], c.open[i], c.high[i], c.low[i], c.close[i], c.volume[i]],
  );
  return JSON.stringify(rows) + "\n";
}

async function exportSeries({ values }: { values: Values }): Promise<number> {
  const key = keyFrom(values);
  const target = values.resample ? parseTimeframe(str(values, "resample")!, "--resample") : key.timeframe;
  const out = str(values, "out");
  const format = str(values, "format") ?? (out && extname(out).toLowerCase() === ".json" ? "json" : "csv");
  if (format !== "csv" && format !== "json") throw new UsageError(`--format "${format}": expected csv or json`);
  const range = {
    from: values.from ? parseDate(str(values, "from")!, "from") : undefined,
    to: values.to ? parseDate(str(values, "to")!, "to") : undefined,
  };
  return await withDb(values, async ({ db }) => {
    const stored = await readCandles(db, key, range);
    if (stored.length === 0) throw new Error(`No candles stored for ${key.venue} ${key.symbol} ${key.timeframe}`);
    const candles = target === key.timeframe ? stored : resample(stored, key.timeframe, target);
    const text = format === "json" ? toJson(candles) : toCsv(candles, target);
    if (out) {
      await Deno.mkdir(dirname(resolve(out)), { recursive: true });
      await Deno.writeTextFile(out, text);
      console.error(`exported ${candles.length} ${target} candles of ${key.symbol} to ${out}`);
    } else {
      await Deno.stdout.write(new TextEncoder().encode(text));
    }
    return 0;
  });
}

if (import.meta.main) Deno.exit(await runDataCommand(Deno.args));
