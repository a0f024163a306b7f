import { REPORT_FIELDS } from "./fields.ts";
import { formatValue } from "./format.ts";
import type { Report } from "./types.ts";
import type { PortfolioSection } from "./portfolio.ts";

export interface TableOptions {
  /** ANSI colour (negative numbers red, missing values dim). Default: when stdout is a terminal and NO_COLOR unset. */
  readonly color?: boolean;
}

const RED = "\x1b[31m", DIM = "\x1b[2m", RESET = "\x1b[0m";

/** The console table: backtesting.py's labels on the left, values right-aligned, one line per field. */
export function formatTable(report: Report, options: TableOptions = {}): string {
  const color = options.color ?? (Deno.stdout.isTerminal() && !Deno.noColor);
  const rows = REPORT_FIELDS.map((f) => ({
    label: f.label,
    value: report[f.key],
    text: formatValue(report[f.key], f.kind),
  }));
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const valueWidth = Math.max(...rows.map((r) => r.text.length));
  return rows.map(({ label, value, text }) => {
    // Colour only the text, so the escape codes do not count towards the alignment.
    const paint = !color ? "" : text === "--" ? DIM : value < 0 ? RED : "";
    const painted = paint ? paint + text + RESET : text;
    return label.padEnd(labelWidth) + "  " + " ".repeat(valueWidth - text.length) + painted;
  }).join("\n") + "\n";
}

/** The statistics a portfolio's strategies are compared by, one column per strategy (the console's short view). */
export const STRATEGY_TABLE_FIELDS: readonly (keyof Report)[] = [
  "equityFinal",
  "returnPct",
  "returnAnnPct",
  "volatilityAnnPct",
  "sharpeRatioPeriodic",
  "maxDrawdownPct",
  "tradeCount",
  "winRatePct",
  "profitFactor",
  "exposureTimePct",
];

/** One column per strategy: the key statistics side by side (report.json and report.html have every field). */
export function formatStrategiesTable(portfolio: PortfolioSection, options: TableOptions = {}): string {
  const color = options.color ?? (Deno.stdout.isTerminal() && !Deno.noColor);
  const fields = STRATEGY_TABLE_FIELDS.map((key) => REPORT_FIELDS.find((f) => f.key === key)!);
  const head = ["Strategy", ...portfolio.strategies.map((s) => s.id)];
  const rows = [
    {
      label: "Capital [$]",
      cells: portfolio.strategies.map((s) => ({ value: s.capital, text: formatValue(s.capital, "number") })),
    },
    ...fields.map((f) => ({
      label: f.label,
      cells: portfolio.strategies.map((s) => ({ value: s.report[f.key], text: formatValue(s.report[f.key], f.kind) })),
    })),
  ];
  const labelWidth = Math.max(head[0].length, ...rows.map((r) => r.label.length));
  const widths = portfolio.strategies.map((_, j) =>
    Math.max(head[j + 1].length, ...rows.map((r) => r.cells[j].text.length))
  );
  const line = (label: string, cells: readonly { value: number; text: string }[] | readonly string[]) =>
    label.padEnd(labelWidth) + cells.map((c, j) => {
      const text = typeof c === "string" ? c : c.text;
      const value = typeof c === "string" ? 0 : c.value;
      const paint = !color || typeof c === "string" ? "" : text === "--" ? DIM : value < 0 ? RED : "";
      return "  " + " ".repeat(widths[j] - text.length) + (paint ? paint + text + RESET : text);
    }).join("");
  return [line(head[0], head.slice(1)), ...rows.map((r) => line(r.label, r.cells))].join("\n") + "\n";
}
