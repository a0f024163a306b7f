/** The optimiser's outputs: a console table, results CSV and JSON, the heatmap and walk-forward files. */
import { join } from "node:path";
import { drawdownSeries, equityCsv, formatValue, type Report, REPORT_FIELDS } from "../report/mod.ts";
import { renderHeatmap } from "./heatmap.ts";
import type { OptimizeResult } from "./optimize.ts";
import type { ResultRow } from "./search.ts";

const SUMMARY: readonly (keyof Report)[] = ["returnPct", "sharpeRatio", "maxDrawdownPct", "tradeCount"];

function pad(cells: string[][]): string {
  const widths = cells[0].map((_, j) => Math.max(...cells.map((r) => r[j].length)));
  return cells.map((r) => r.map((c, j) => c.padStart(widths[j])).join("  "))
    .join("\n") + "\n";
}

const show = (key: keyof Report, v: number) => formatValue(v, REPORT_FIELDS.find((f) => f.key === key)!.kind);

/** The best `top` rows: rank, searched parameters, objective and a few headline statistics. */
export function formatResults(result: OptimizeResult, top = 20): string {
  const names = result.ranges.map((r) => r.name);
  const { key, stat } = result.objective;
  const extra = SUMMARY.filter((k) => k !== key);
  const header = ["#", ...names, `${key}${result.objective.minimize ? " ↓" : " ↑"}`, ...extra];
  const rows = result.rows.slice(0, top).map((r, i) => [
    String(i + 1),
    ...names.map((n) => String(r.params[n])),
    show(stat, r.objective),
    ...extra.map((k) => show(k, r.report[k])),
  ]);
  return pad([header, ...rows]);
}

/** A number for CSV/JSON: NaN and ±Infinity have no JSON form, so they become empty/null. */
const num = (v: number) => Number.isFinite(v) ? v : null;

export function resultsCsv(result: OptimizeResult): string {
  const names = result.ranges.map((r) => r.name);
  const header = ["rank", ...names, "objective", ...REPORT_FIELDS.map((f) => f.key)];
  const line = (r: ResultRow, i: number) =>
    [i + 1, ...names.map((n) => r.params[n]), num(r.objective), ...REPORT_FIELDS.map((f) => num(r.report[f.key]))]
      .map((v) => v === null ? "" : String(v)).join(",");
  return [header.join(","), ...result.rows.map(line)].join("\n") + "\n";
}

function reportJson(report: Report): Record<string, number | null> {
  return Object.fromEntries(REPORT_FIELDS.map((f) => [f.key, num(report[f.key])]));
}

export function resultsJson(result: OptimizeResult): string {
  const wf = result.walkForward;
  return JSON.stringify(
    {
      strategy: result.strategy,
      objective: result.objective.key,
      minimize: result.objective.minimize,
      method: result.method,
      seed: result.seed,
      ranges: result.ranges,
      candidates: result.space.combos.length,
      workers: result.workers,
      workersStarted: result.workersStarted,
      skipped: result.space.skipped,
      ...(result.space.skipReason ? { skipReason: result.space.skipReason } : {}),
      rows: result.rows.map((r, i) => ({
        rank: i + 1,
        params: r.params,
        objective: num(r.objective),
        report: reportJson(r.report),
        ...(r.strategies
          ? { strategies: Object.fromEntries(Object.entries(r.strategies).map(([id, s]) => [id, reportJson(s)])) }
          : {}),
      })),
      failed: result.failed.map((f) => ({ run: f.index + 1, params: f.params, error: f.error })),
      ...(wf
        ? {
          walkForward: {
            options: wf.options,
            folds: wf.folds.map((f) => ({
              is: f.is,
              oos: f.oos,
              isTime: f.isTime.map((t) => new Date(t).toISOString()),
              oosTime: f.oosTime.map((t) => new Date(t).toISOString()),
              best: f.best,
              isObjective: num(f.isObjective),
              oosObjective: num(f.oosObjective),
            })),
            report: reportJson(wf.report),
          },
        }
        : {}),
    },
    null,
    2,
  ) + "\n";
}

/** The walk-forward folds as a table. */
export function formatWalkForward(result: OptimizeResult): string {
  const wf = result.walkForward;
  if (!wf) return "";
  const names = result.ranges.map((r) => r.name);
  const day = (t: number) => new Date(t).toISOString().slice(0, 10);
  const header = ["fold", "in-sample", "out-of-sample", ...names, "IS " + result.objective.key, "OOS"];
  const rows = wf.folds.map((f, i) => [
    String(i + 1),
    `${day(f.isTime[0])}..${day(f.isTime[1] - 1)}`,
    `${day(f.oosTime[0])}..${day(f.oosTime[1] - 1)}`,
    ...names.map((n) => String(f.best[n])),
    show(result.objective.stat, f.isObjective),
    show(result.objective.stat, f.oosObjective),
  ]);
  return pad([header, ...rows]);
}

/** The failed combinations: run number, parameters and the error (quoted as CSV). */
export function failedCsv(result: OptimizeResult): string {
  const names = result.ranges.map((r) => r.name);
  const quote = (v: unknown) => `"${String(v).replaceAll('"', '""')}"`;
  const lines = result.failed.map((f) => [f.index + 1, ...names.map((n) => f.params[n]), quote(f.error)].join(","));
  return [["run", ...names, "error"].join(","), ...lines].join("\n") + "\n";
}

/** Writes results.csv, results.json, heatmap.html (two or more searched parameters) and walk-forward files. */
export async function writeOptimizeOutputs(
  dir: string,
  result: OptimizeResult,
  heatmap?: readonly [string, string],
): Promise<string[]> {
  await Deno.mkdir(dir, { recursive: true });
  const files: [string, string][] = [["results.json", resultsJson(result)]];
  if (result.rows.length > 0) files.push(["results.csv", resultsCsv(result)]);
  if (result.failed.length > 0) files.push(["failed.csv", failedCsv(result)]);
  const axes = heatmap ?? (result.ranges.length >= 2 ? [result.ranges[0].name, result.ranges[1].name] : undefined);
  if (axes && result.rows.length > 0) {
    files.push([
      "heatmap.html",
      renderHeatmap(result.rows, axes[0], axes[1], result.objective, `${result.strategy}: ${result.objective.key}`),
    ]);
  }
  if (result.walkForward) {
    const input = result.walkForward.input;
    files.push(["walk_forward_equity.csv", equityCsv(input.ts, input.equity, drawdownSeries(input.equity))]);
  }
  const written: string[] = [];
  for (const [name, text] of files) {
    const path = join(dir, name);
    await Deno.writeTextFile(path, text);
    written.push(path);
  }
  return written;
}
