import { REPORT_FIELDS } from "./fields.ts";
import { formatValue } from "./format.ts";
import type { Report } from "./types.ts";

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
