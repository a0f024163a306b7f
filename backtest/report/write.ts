import { writeEquityCsv, writeTradesCsv } from "./csv.ts";
import { drawdownSeries } from "./drawdown.ts";
import { renderHtml } from "./html.ts";
import { toJson } from "./json.ts";
import type { Ohlc, Report, ReportInput } from "./types.ts";

/** The files writeReport produces, by name. */
export const REPORT_FILES = ["report.json", "trades.csv", "equity.csv", "report.html"] as const;

/** Write report.json, trades.csv, equity.csv and report.html into `dir` (created if missing). */
export async function writeReport(dir: string, report: Report, input: ReportInput, ohlc?: Ohlc): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const html = await renderHtml(report, input, ohlc);
  await Promise.all([
    Deno.writeTextFile(`${dir}/report.json`, toJson(report)),
    writeTradesCsv(`${dir}/trades.csv`, input.trades),
    writeEquityCsv(`${dir}/equity.csv`, input.ts, input.equity, drawdownSeries(input.equity)),
    Deno.writeTextFile(`${dir}/report.html`, html),
  ]);
}
