/**
 * Text for the terminal: colours as SGR spans that always end in a full reset, widths that count visible characters
 * only, and a row highlight that survives the resets inside the row. Every character the TUI draws is one column
 * wide (no East Asian wide characters in our own text; foreign text is cut by code point).
 */

export interface Style {
  /** False: no escape code at all (NO_COLOR, or standard output is not a terminal). */
  readonly color: boolean;
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly cyan: (s: string) => string;
  readonly dim: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly inverse: (s: string) => string;
}

export const RESET = "\x1b[0m";
const REVERSE = "\x1b[7m";
const sgr = (code: string) => (s: string) => s === "" ? s : `\x1b[${code}m${s}${RESET}`;

export const COLOR: Style = {
  color: true,
  green: sgr("32"),
  red: sgr("31"),
  yellow: sgr("33"),
  cyan: sgr("36"),
  dim: sgr("2"),
  bold: sgr("1"),
  inverse: sgr("7"),
};
const same = (s: string) => s;
export const PLAIN: Style = {
  color: false,
  green: same,
  red: same,
  yellow: same,
  cyan: same,
  dim: same,
  bold: same,
  inverse: same,
};

/** Colour when the output is a terminal and NO_COLOR is unset or empty (https://no-color.org). */
export function styleFor(isTerminal: boolean, noColor: string | undefined): Style {
  return isTerminal && !noColor ? COLOR : PLAIN;
}

// deno-lint-ignore no-control-regex
const ESCAPE = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** The text without escape codes. */
export const strip = (text: string) => text.replace(ESCAPE, "");

/** Visible columns. */
export const width = (text: string) => [...strip(text)].length;

/** Cut to `max` visible columns (the last one an ellipsis when cut), escape codes kept, a reset added when cut. */
export function cut(text: string, max: number): string {
  if (max <= 0) return "";
  if (width(text) <= max) return text;
  let out = "";
  let used = 0;
  // deno-lint-ignore no-control-regex
  for (const part of text.split(/(\x1b\[[0-9;?]*[A-Za-z])/)) {
    if (part.startsWith("\x1b[")) {
      out += part;
      continue;
    }
    for (const ch of part) {
      if (used === max - 1) return out + "…" + (out.includes("\x1b[") ? RESET : "");
      out += ch;
      used++;
    }
  }
  return out;
}

/** Parts joined by `gap`, onto as many lines as `columns` needs (a part wider than a line gets one of its own). */
export function flow(parts: readonly string[], columns: number, gap = "   "): string[] {
  const lines: string[] = [];
  let current = "";
  for (const part of parts) {
    if (current === "") current = part;
    else if (width(current) + gap.length + width(part) <= columns) current += gap + part;
    else {
      lines.push(current);
      current = part;
    }
  }
  lines.push(current);
  return lines;
}

/** Exactly `columns` visible columns: cut or padded (on the left for right-aligned text). */
export function fit(text: string, columns: number, right = false): string {
  const cutText = cut(text, columns);
  const fill = " ".repeat(Math.max(0, columns - width(cutText)));
  return right ? fill + cutText : cutText + fill;
}

/**
 * The whole row in reverse video: padded to `columns` first, and reverse re-applied after every reset inside it
 * (a green number ends with a reset, which would otherwise end the highlight there).
 */
export function highlight(style: Style, row: string, columns: number): string {
  const full = fit(row, columns);
  if (!style.color) return full;
  return REVERSE + full.replaceAll(RESET, RESET + REVERSE) + RESET;
}

export const money = (n: number | null | undefined) =>
  n === undefined || n === null || !Number.isFinite(n)
    ? "--"
    : n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const quantity = (n: number | null | undefined) =>
  n === undefined || n === null || !Number.isFinite(n) ? "--" : n.toLocaleString("en-US", { maximumFractionDigits: 8 });

export const percent = (fraction: number | null | undefined, digits = 1) =>
  fraction === undefined || fraction === null || !Number.isFinite(fraction)
    ? "--"
    : `${(fraction * 100).toFixed(digits)}%`;

/** Profit green with a sign, loss red, zero and unknown plain. */
export function pnl(style: Style, n: number | null | undefined): string {
  const text = money(n);
  if (n === undefined || n === null || !Number.isFinite(n) || n === 0) return text;
  return n > 0 ? style.green(`+${text}`) : style.red(text);
}

/** Trading and strategy states: the good one green, the stopped ones red, the rest yellow. */
export function state(style: Style, value: string | undefined): string {
  if (value === undefined) return "?";
  if (value === "ACTIVE" || value === "ready" || value === "fresh" || value === "ok") return style.green(value);
  if (value === "HALTED" || value === "QUARANTINED" || value === "error" || value === "stale") return style.red(value);
  return style.yellow(value);
}

/** `HH:MM:SS` of an epoch-ms time (UTC), or the date when it is not today's. */
export function clock(ts: number | undefined, now: number): string {
  if (ts === undefined || !Number.isFinite(ts)) return "--";
  const iso = new Date(ts).toISOString();
  return iso.slice(0, 10) === new Date(now).toISOString().slice(0, 10) ? iso.slice(11, 19) : iso.slice(0, 10);
}
