import { writeEquityCsv, writeTradesCsv } from "./csv.ts";
import { drawdownSeries } from "./drawdown.ts";
import { renderHtml } from "./html.ts";
import { toJson } from "./json.ts";
import type { Ohlc, Report, ReportInput } from "./types.ts";
import type { PortfolioSection } from "./portfolio.ts";

/** The files writeReport produces, by name. */
export const REPORT_FILES = ["report.json", "trades.csv", "equity.csv", "report.html"] as const;

export interface WriteOptions {
  /** equity.csv is already being written (report/equity_file.ts): this settles when it is. */
  readonly equityCsv?: Promise<void>;
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
    if (!/^[A-Za-z0-9_.-]+$/.test(s.id) || /^\.+$/.test(s.id)) {
      throw new Error(`Cannot write the report of strategy "${s.id}": not usable as a directory name`);
    }
  }
  const html = await renderHtml(report, input, ohlc, portfolio ? { portfolio } : {});
  for (const s of portfolio?.strategies ?? []) await Deno.mkdir(`${dir}/strategies/${s.id}`, { recursive: true });
  await Promise.all([
    ...(portfolio?.strategies ?? []).flatMap((s) => [
      writeTradesCsv(`${dir}/strategies/${s.id}/trades.csv`, s.input.trades),
      writeEquityCsv(
        `${dir}/strategies/${s.id}/equity.csv`,
        s.input.ts,
        s.input.equity,
        drawdownSeries(s.input.equity),
      ),
    ]),
    Deno.writeTextFile(`${dir}/report.json`, toJson(report, portfolio)),
    writeTradesCsv(`${dir}/trades.csv`, input.trades),
    options.equityCsv ?? writeEquityCsv(`${dir}/equity.csv`, input.ts, input.equity, drawdownSeries(input.equity)),
    Deno.writeTextFile(`${dir}/report.html`, html),
  ]);
}
