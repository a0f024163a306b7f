/**
 * The screen as a pure function: snapshot + UI state + size → exactly `height` lines of at most `width` columns.
 * Wide terminals (150 columns and more) get two columns (positions, orders, strategies | risk, alerts) over the log;
 * narrower ones a stack of full-width panes.
 */
import type { Snapshot } from "./model.ts";
import { helpLines } from "./help.ts";
import { KEY_TABLE, type KeyBinding, type UiState } from "./keys.ts";
import { type PaneId, PANES, paneTable, type Row, searched, type Table } from "./panes.ts";
import { fit, flow, highlight, money, percent, pnl, state, type Style, width as visible } from "./text.ts";

export interface Size {
  readonly width: number;
  readonly height: number;
}

/** Each pane's rows as the screen shows them (after its `/` search): what j/k move over. */
export function paneRows(s: Snapshot, ui: UiState, style: Style, now: number, pane: PaneId): readonly Row[] {
  return searched(paneTable(pane, s, style, now, ui.log).rows, ui.searches[pane]);
}

/** Shares of `total` in proportion to `weights`, summing to `total`. */
export function split(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const out = weights.map((w) => Math.floor((total * w) / sum));
  for (let i = 0; out.reduce((a, b) => a + b, 0) < total; i = (i + 1) % out.length) out[i]++;
  return out;
}

interface PaneBox {
  readonly table: Table;
  readonly rows: readonly Row[];
  readonly focused: boolean;
  readonly selected: number;
  readonly search: string;
}

function columnWidths(table: Table, width: number): number[] {
  const gaps = table.columns.length; // one space before each column (the first is the cursor's gutter)
  const fixed = table.columns.reduce((n, c) => n + (c.grow ? 0 : c.width), 0);
  return table.columns.map((c) => (c.grow ? Math.max(c.width, width - fixed - gaps) : c.width));
}

function line(cells: readonly string[], widths: number[], table: Table, width: number, gutter: string): string {
  const text = gutter + cells.map((c, i) => fit(c, widths[i], table.columns[i].right)).join(" ");
  return fit(text, width);
}

/** One pane: a title bar, the column names, and as many rows as fit (scrolled to keep the selection in view). */
export function renderPane(box: PaneBox, style: Style, width: number, height: number): string[] {
  const { table, rows, focused } = box;
  const count = `${rows.length}${box.search ? ` of ${table.rows.length}, /${box.search}` : ""}`;
  const title = ` ${table.title} (${count}) `;
  const bar = focused ? style.inverse(style.bold(title)) : style.bold(title);
  const start = `${focused ? "▶" : "─"}${bar}`;
  const out = [fit(`${start}${"─".repeat(Math.max(0, width - visible(start)))}`, width)];
  if (height <= 1) return out.slice(0, height);
  const widths = columnWidths(table, width);
  out.push(style.dim(line(table.columns.map((c) => c.name), widths, table, width, " ")));
  const body = height - 2;
  if (rows.length === 0) {
    out.push(fit(style.dim(`  ${box.search ? "no row matches the search" : table.empty}`), width));
  }
  const selected = Math.max(0, Math.min(rows.length - 1, box.selected));
  const offset = Math.max(0, selected - body + 1);
  for (let i = offset; i < rows.length && out.length < height; i++) {
    const isSelected = focused && i === selected;
    const text = line(rows[i].cells, widths, table, width, isSelected ? ">" : " ");
    out.push(isSelected ? highlight(style, text, width) : text);
  }
  while (out.length < height) out.push(" ".repeat(width));
  return out.slice(0, height);
}

interface Region {
  readonly panes: readonly PaneId[];
  readonly weights: readonly number[];
}

/** Where the panes go: a list of bands, each one or two columns of stacked panes. */
function layout(width: number, height: number): { columns: Region[]; height: number }[] {
  if (width < 150) return [{ columns: [{ panes: PANES, weights: [2, 2, 2, 3, 2, 3] }], height }];
  const log = Math.max(4, Math.floor(height * 0.32));
  return [
    {
      columns: [
        { panes: ["positions", "orders", "strategies"], weights: [1, 1, 1] },
        { panes: ["risk", "alerts"], weights: [3, 2] },
      ],
      height: height - log,
    },
    { columns: [{ panes: ["log"], weights: [1] }], height: log },
  ];
}

function renderPanes(s: Snapshot, ui: UiState, style: Style, now: number, size: Size): string[] {
  const box = (pane: PaneId): PaneBox => ({
    table: paneTable(pane, s, style, now, ui.log),
    rows: paneRows(s, ui, style, now, pane),
    focused: ui.focus === pane,
    selected: ui.rows[pane],
    search: ui.searches[pane],
  });
  const out: string[] = [];
  for (const band of layout(size.width, size.height)) {
    const widths = split(size.width - (band.columns.length - 1), band.columns.map(() => 1));
    const columns = band.columns.map((region, c) => {
      const heights = split(band.height, region.weights);
      return region.panes.flatMap((pane, i) => renderPane(box(pane), style, widths[c], heights[i]));
    });
    for (let i = 0; i < band.height; i++) out.push(columns.map((lines) => lines[i]).join(style.dim("│")));
  }
  return out;
}

/** The account summary: its parts flow onto as many lines as the width needs. */
function header(s: Snapshot, style: Style, now: number, width: number): string[] {
  const total = s.status?.portfolio?.total;
  const account = s.metrics?.account;
  const trading = s.metrics?.trading ?? s.status?.risk?.trading;
  const age = s.fetchedAt === undefined ? "never" : `${Math.max(0, Math.round((now - s.fetchedAt) / 1000))}s ago`;
  const venue = s.status?.adapter;
  const parts = [
    `${style.bold("tradeactor")}  ${s.url}`,
    `Trading ${state(style, trading)}`,
    ...(s.health === undefined ? [] : [
      s.health.ok
        ? style.green("healthy")
        : style.red(`degraded: ${(s.health.reasons ?? []).join(", ") || "no reason given"}`),
    ]),
    ...(s.status?.venues && Object.keys(s.status.venues).length > 1
      ? Object.entries(s.status.venues).map(([name, v]) =>
        `Venue ${name} ${state(style, String(v?.phase ?? v?.error ?? "?"))}`
      )
      : [`Venue ${String(venue?.venue ?? "?")} ${state(style, String(venue?.phase ?? venue?.error ?? "?"))}`]),
    `Feed ${state(style, s.health?.feed?.state)}`,
    `updated ${age}`,
  ];
  const numbers = [
    `Equity ${style.bold(money(total?.equity))}`,
    `Balance ${money(total?.balance)}`,
    `Unrealized ${pnl(style, total?.unrealized)}`,
    `Daily P&L ${pnl(style, account?.dailyPnl)}`,
    `Drawdown ${percent(account?.drawdown)}`,
    `Leverage ${account?.leverage == null ? "--" : account.leverage.toFixed(2)}`,
    `Fees ${money(total?.commissions)}`,
    `Open orders ${s.orders?.length ?? "--"}`,
  ];
  return [
    ...flow(parts, width),
    ...flow(numbers, width),
    s.errors.length > 0 ? style.yellow(`! ${s.errors.join("; ")}`) : "",
  ];
}

/** The footer: the table's keys that have a short word, from the same table the keys dispatch on. */
export const footer = (table: readonly KeyBinding[] = KEY_TABLE) =>
  table.filter((b) => b.short).map((b) => `${b.keys[0]} ${b.short}`).join("  ");

/** The prompt, the confirmation (wrapped: every word of what will happen is shown) or the last message. */
function bottom(ui: UiState, style: Style, width: number): string[] {
  const words = (text: string, paint: (s: string) => string) => flow(text.split(" "), width, " ").slice(-4).map(paint);
  switch (ui.mode.kind) {
    case "search":
      return [`/${ui.mode.text}█`];
    case "command":
      return [`:${ui.mode.text}█`];
    case "confirm":
      return words(`${ui.mode.text} Press y to confirm, any other key cancels.`, style.red);
    case "help":
    case "normal":
      return ui.message ? words(ui.message.text, ui.message.error ? style.red : style.yellow) : [""];
  }
}

/** The help box drawn over the middle of the panes. */
function overlay(lines: string[], help: readonly string[], style: Style, size: Size): string[] {
  const inner = Math.min(size.width - 4, Math.max(...help.map((l) => visible(l))) + 2);
  const boxed = [
    `┌${"─".repeat(inner)}┐`,
    ...help.map((l) => `│ ${fit(l, inner - 2)} │`),
    `└${"─".repeat(inner)}┘`,
  ].slice(0, Math.max(0, size.height - 2));
  const top = Math.max(0, Math.floor((size.height - boxed.length) / 2));
  const left = " ".repeat(Math.max(0, Math.floor((size.width - inner - 2) / 2)));
  const out = [...lines];
  boxed.forEach((l, i) => (out[top + i] = fit(left + style.bold(l), size.width)));
  return out;
}

/** The whole screen: `size.height` lines, none wider than `size.width`. */
export function render(s: Snapshot, ui: UiState, style: Style, now: number, size: Size): string[] {
  const top = header(s, style, now, size.width);
  const bottomLines = [
    ...bottom(ui, style, size.width),
    ...flow(footer().split("  "), size.width, "  ").map(style.dim),
  ];
  const panes = renderPanes(s, ui, style, now, {
    width: size.width,
    height: Math.max(0, size.height - top.length - bottomLines.length),
  });
  let lines = [...top, ...panes, ...bottomLines].map((l) => fit(l, size.width));
  if (ui.mode.kind === "help") lines = overlay(lines, helpLines(), style, size);
  return lines.slice(0, size.height);
}
