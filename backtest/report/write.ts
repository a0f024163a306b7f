import { writeEquityFile, writeTradesCsv } from "./csv.ts";
import { renderHtml } from "./html.ts";
import { toJson } from "./json.ts";
import type { Ohlc, Report, ReportInput } from "./types.ts";
import type { PortfolioSection } from "./portfolio.ts";
import type { EquityCsvWriter } from "./equity_file.ts";

/** A strategy id usable as the name of its directory under `strategies/`: letters, digits, _ . - and not only dots. */
export function isDirectoryName(id: string): boolean {
  return /^[A-Za-z0-9_.-]+$/.test(id) && !/^\.+$/.test(id);
}

/** Where writeReport puts an equity.csv: the account's in `dir`, a strategy's under `strategies/ID/`. */
export function equityCsvPath(dir: string, strategyId?: string): string {
  return strategyId === undefined ? `${dir}/equity.csv` : `${dir}/strategies/${strategyId}/equity.csv`;
}

/** The files writeReport produces, by name. */
export const REPORT_FILES = ["report.json", "trades.csv", "equity.csv", "report.html"] as const;

export interface WriteOptions {
  /**
   * Where the equity.csv files go (report/equity_file.ts: a second thread, and this one when it is free); some may be
   * queued already. Without it they are written here.
   */
  readonly equityCsv?: EquityCsvWriter;
}

/**
 * Write report.json, trades.csv, equity.csv and report.html into `dir` (created if missing); with a portfolio, also
 * each strategy's trades.csv and equity.csv under `strategies/ID/`.
 */
export async function writeReport(
  dir: string,
  report: Report,
  input: ReportInput,
  ohlc?: Ohlc,
  portfolio?: PortfolioSection,
  options: WriteOptions = {},
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const s of portfolio?.strategies ?? []) {
    // Ids come from the live config's rules (letters, digits, _ . -); still, never a path out of `dir`.
    if (!isDirectoryName(s.id)) {
      throw new Error(`Cannot write the report of strategy "${s.id}": not usable as a directory name`);
    }
  }
  const html = await renderHtml(report, input, ohlc, portfolio ? { portfolio } : {});
  for (const s of portfolio?.strategies ?? []) await Deno.mkdir(`${dir}/strategies/${s.id}`, { recursive: true });
  const writer = options.equityCsv;
  const equityFile = (path: string, input: ReportInput) => {
    writer?.write(path, input.ts, input.equity); // ignored when queued already
    // Not queued (no writer, or a closed one): written here, never silently skipped.
    return writer?.written(path) ?? writeEquityFile(path, input.ts, input.equity);
  };
  await Promise.all([
    ...(portfolio?.strategies ?? []).flatMap((s) => [
      writeTradesCsv(`${dir}/strategies/${s.id}/trades.csv`, s.input.trades),
      equityFile(equityCsvPath(dir, s.id), s.input),
    ]),
    Deno.writeTextFile(`${dir}/report.json`, toJson(report, portfolio)),
    writeTradesCsv(`${dir}/trades.csv`, input.trades),
    equityFile(equityCsvPath(dir), input),
    Deno.writeTextFile(`${dir}/report.html`, html),
    writer?.help(),
  ]);
}
