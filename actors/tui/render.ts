/**
 * The terminal UI's screen as a pure function of the last status and the UI state, so it is testable
 * without a terminal. Colours: green profit, red loss, yellow warnings, white otherwise (NO_COLOR respected).
 */
import type { LedgerView, StatusDocument } from "./status.ts";

export type Pane = "positions" | "strategies" | "decisions";
export const PANES: readonly Pane[] = ["positions", "strategies", "decisions"];

export interface UiState {
  readonly pane: Pane;
  /** Selected row in the current pane. */
  readonly row: number;
  readonly message?: string;
  /** Kill switch asked once; the next `K` confirms. */
  readonly confirmKill: boolean;
}

export interface Frame {
  readonly status: StatusDocument | undefined;
  readonly error?: string;
  readonly fetchedAt?: number;
  readonly url: string;
}

export interface Style {
  readonly green: (s: string) => string;
  readonly red: (s: string) => string;
  readonly yellow: (s: string) => string;
  readonly bold: (s: string) => string;
  readonly inverse: (s: string) => string;
}

const ansi = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
export const COLOR: Style = {
  green: ansi("32"),
  red: ansi("31"),
  yellow: ansi("33"),
  bold: ansi("1"),
  inverse: ansi("7"),
};
export const PLAIN: Style = { green: (s) => s, red: (s) => s, yellow: (s) => s, bold: (s) => s, inverse: (s) => s };

const money = (n: number | undefined) =>
  n === undefined || !Number.isFinite(n)
    ? "--"
    : n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const qty = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 8 });

function pnl(style: Style, n: number | undefined): string {
  const text = money(n);
  if (n === undefined || !Number.isFinite(n) || n === 0) return text;
  return n > 0 ? style.green(`+${text}`) : style.red(text);
}

function pad(text: string, width: number, right = false): string {
  // Padding counts visible characters only: ANSI codes have no width.
  // deno-lint-ignore no-control-regex
  const visible = text.replace(/\x1b\[[0-9;]*m/g, "").length;
  const fill = " ".repeat(Math.max(0, width - visible));
  return right ? fill + text : text + fill;
}

function table(
  style: Style,
  headers: string[],
  rows: string[][],
  widths: number[],
  selected: number,
  textColumns = 1,
): string[] {
  // The first `textColumns` columns are text (left-aligned); the rest are numbers (right-aligned).
  const line = (cells: string[]) => cells.map((c, i) => pad(c, widths[i], i >= textColumns)).join("  ");
  const out = [style.bold(line(headers))];
  rows.forEach((r, i) => out.push(i === selected ? style.inverse(line(r)) : line(r)));
  if (rows.length === 0) out.push("  (none)");
  return out;
}

function positionRows(style: Style, total: LedgerView | undefined): string[][] {
  return (total?.positions ?? []).map((p) => [
    p.symbol,
    qty(p.qty),
    money(p.avgPrice),
    money(p.lastPrice),
    pnl(style, p.unrealized),
    pnl(style, p.realized),
  ]);
}

export function rowCount(frame: Frame, pane: Pane): number {
  const s = frame.status;
  switch (pane) {
    case "positions":
      return s?.portfolio?.total?.positions?.length ?? 0;
    case "strategies":
      return Object.keys(s?.portfolio?.strategies ?? {}).length;
    case "decisions":
      return s?.risk?.decisions?.length ?? 0;
  }
}

export function render(frame: Frame, ui: UiState, style: Style, now: number, width = 100): string {
  const s = frame.status;
  const total = s?.portfolio?.total;
  const trading = s?.risk?.trading ?? "?";
  const tradingText = trading === "ACTIVE"
    ? style.green(trading)
    : trading === "HALTED"
    ? style.red(trading)
    : style.yellow(trading);
  const age = frame.fetchedAt === undefined
    ? "never"
    : `${Math.max(0, Math.round((now - frame.fetchedAt) / 1000))}s ago`;
  const lines: string[] = [];
  lines.push(style.bold(`tradeactor  ${frame.url}`) + `   updated ${age}`);
  if (frame.error) lines.push(style.yellow(`! ${frame.error}`));
  lines.push(
    `Equity ${style.bold(money(total?.equity))}   Balance ${money(total?.balance)}   Unrealized ${
      pnl(style, total?.unrealized)
    }` +
      `   Fees ${money(total?.commissions)}`,
  );
  lines.push(
    `Trading ${tradingText}   Open orders ${s?.risk?.openOrders ?? "--"}   Venue ${String(s?.adapter?.venue ?? "?")} ${
      String(s?.adapter?.phase ?? s?.adapter?.error ?? "?")
    }`,
  );
  lines.push("");
  lines.push(PANES.map((p) => (p === ui.pane ? style.inverse(` ${p} `) : ` ${p} `)).join(" "));
  switch (ui.pane) {
    case "positions":
      lines.push(
        ...table(style, ["symbol", "qty", "avg", "last", "unrealized", "realized"], positionRows(style, total), [
          12,
          12,
          12,
          12,
          14,
          14,
        ], ui.row),
      );
      break;
    case "strategies": {
      const rows = Object.entries(s?.portfolio?.strategies ?? {}).map(([id, l]) => [
        id,
        money(l.equity),
        pnl(style, l.unrealized),
        money(l.commissions),
        String(l.positions.length),
      ]);
      lines.push(
        ...table(style, ["strategy", "equity", "unrealized", "fees", "positions"], rows, [16, 14, 14, 12, 9], ui.row),
      );
      break;
    }
    case "decisions": {
      const rows = [...(s?.risk?.decisions ?? [])].reverse().map((d) => [
        new Date(d.ts).toISOString().slice(0, 19).replace("T", " "),
        d.decision.startsWith("deny") || d.decision.startsWith("kill") ? style.red(d.decision) : d.decision,
        d.detail.slice(0, Math.max(10, width - 40)),
      ]);
      lines.push(...table(style, ["time (UTC)", "decision", "detail"], rows, [19, 14, 40], ui.row, 3));
      break;
    }
  }
  lines.push("");
  if (ui.message) lines.push(style.yellow(ui.message));
  lines.push(
    ui.confirmKill
      ? style.red("Kill switch: press K again to cancel all, flatten and halt; any other key aborts")
      : KEYS_HELP,
  );
  return lines.join("\n");
}

/** The footer, also the key list of `deno task tui --help`: one text for both. */
export const KEYS_HELP = "j/k move  h/l or tab pane  g/G top/bottom  r refresh  K kill switch  q quit";

export type Key = "j" | "k" | "h" | "l" | "tab" | "g" | "G" | "r" | "K" | "q" | "other";

export type Action = { readonly type: "none" } | { readonly type: "refresh" } | { readonly type: "kill" } | {
  readonly type: "quit";
};

/** Vim-style keys → the next UI state and what the driver must do. */
export function onKey(ui: UiState, key: Key, rows: number): { ui: UiState; action: Action } {
  const none = { type: "none" } as const;
  if (ui.confirmKill) {
    return key === "K"
      ? { ui: { ...ui, confirmKill: false, message: "kill switch sent" }, action: { type: "kill" } }
      : { ui: { ...ui, confirmKill: false, message: "kill switch aborted" }, action: none };
  }
  const move = (delta: number) => Math.max(0, Math.min(Math.max(0, rows - 1), ui.row + delta));
  const pane = (delta: number) => PANES[(PANES.indexOf(ui.pane) + delta + PANES.length) % PANES.length];
  switch (key) {
    case "j":
      return { ui: { ...ui, row: move(1) }, action: none };
    case "k":
      return { ui: { ...ui, row: move(-1) }, action: none };
    case "g":
      return { ui: { ...ui, row: 0 }, action: none };
    case "G":
      return { ui: { ...ui, row: Math.max(0, rows - 1) }, action: none };
    case "h":
      return { ui: { ...ui, pane: pane(-1), row: 0 }, action: none };
    case "l":
    case "tab":
      return { ui: { ...ui, pane: pane(1), row: 0 }, action: none };
    case "r":
      return { ui, action: { type: "refresh" } };
    case "K":
      return { ui: { ...ui, confirmKill: true, message: undefined }, action: none };
    case "q":
      return { ui, action: { type: "quit" } };
    case "other":
      return { ui, action: none };
  }
}
