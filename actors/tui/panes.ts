/**
 * The panes as tables: each a pure function of the snapshot → columns and rows (cells styled, plus the plain text
 * `/` searches). The layout (layout.ts) decides where and how tall they are.
 */
import type { LogFilter } from "./api.ts";
import { LOG_LEVELS, type LogLine, type Snapshot } from "./model.ts";
import { clock, money, percent, pnl, quantity, state, strip, type Style } from "./text.ts";

export const PANES = ["positions", "orders", "strategies", "risk", "alerts", "log"] as const;
export type PaneId = typeof PANES[number];

export interface Column {
  readonly name: string;
  readonly width: number;
  readonly right?: boolean;
  /** Takes the width left over (one per table). */
  readonly grow?: boolean;
}

export interface Row {
  /** Names the row across refreshes, so the selection stays on it when rows come and go above it. */
  readonly key: string;
  readonly cells: readonly string[];
  /** The strategy this row is about, for commands that take the one under the cursor. */
  readonly strategy?: string;
}

export interface Table {
  readonly title: string;
  readonly columns: readonly Column[];
  readonly rows: readonly Row[];
  /** Shown when there is no row. */
  readonly empty: string;
}

const col = (name: string, width: number, more: Partial<Column> = {}): Column => ({ name, width, ...more });
const num = (name: string, width: number) => col(name, width, { right: true });

function positions(s: Snapshot, style: Style): Table {
  const book = s.status?.portfolio;
  const perStrategy = Object.entries(book?.strategies ?? {}).flatMap(([id, ledger]) =>
    ledger.positions.map((p) => ({ id, p }))
  );
  const list = perStrategy.length > 0 ? perStrategy : (book?.total?.positions ?? []).map((p) => ({ id: "", p }));
  return {
    title: "Positions",
    columns: [
      col("strategy", 10),
      col("symbol", 8, { grow: true }),
      num("qty", 8),
      num("avg", 10),
      num("last", 10),
      num("unrealized", 11),
      num("realized", 11),
    ],
    rows: list.filter(({ p }) => p.qty !== 0).map(({ id, p }) => ({
      key: `${id}/${p.symbol}`,
      cells: [
        id,
        p.symbol,
        quantity(p.qty),
        money(p.avgPrice),
        money(p.lastPrice),
        pnl(style, p.unrealized),
        pnl(
          style,
          p.realized,
        ),
      ],
      ...(id ? { strategy: id } : {}),
    })),
    empty: book ? "no open position" : "waiting for the daemon",
  };
}

function orders(s: Snapshot, style: Style, now: number): Table {
  return {
    title: "Open orders",
    columns: [
      col("time", 10),
      col("strategy", 10),
      col("order", 11, { grow: true }),
      col("side", 4),
      col("type", 6),
      num("filled/qty", 10),
      num("price", 9),
      col("status", 8),
    ],
    rows: (s.orders ?? []).map((o) => ({
      key: o.clientOrderId,
      cells: [
        clock(o.createdAt, now),
        o.strategyId,
        o.clientOrderId,
        o.side === "buy" ? style.green("buy") : o.side === "sell" ? style.red("sell") : "--",
        o.type ?? "--",
        `${quantity(o.filledQty)}/${quantity(o.qty)}`,
        money(o.limitPrice ?? o.stopPrice),
        style.yellow(o.status),
      ],
      strategy: o.strategyId,
    })),
    empty: s.orders ? "no open order" : "waiting for the daemon",
  };
}

function strategies(s: Snapshot, style: Style): Table {
  return {
    title: "Strategies",
    columns: [
      col("id", 10),
      col("status", 11),
      num("equity", 12),
      num("P&L", 11),
      num("unrealized", 11),
      col("runs", 16, { grow: true }),
    ],
    rows: (s.strategies ?? []).map((x) => {
      const params = Object.entries(x.params ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
      const profit = x.equity !== undefined && x.capital !== undefined && x.capital !== null
        ? x.equity - x.capital
        : undefined;
      return {
        key: x.id,
        cells: [
          x.id,
          state(style, x.status),
          money(x.equity),
          pnl(style, profit),
          pnl(style, x.unrealized),
          `${x.strategy ?? ""} ${params}${x.reason ? `  (${x.reason})` : ""}`.trim(),
        ],
        strategy: x.id,
      };
    }),
    empty: s.strategies ? "no strategy" : "waiting for the daemon",
  };
}

/** Usage of a limit: green under half, yellow under 80 %, red above. */
function usage(style: Style, fraction: number | null | undefined): string {
  const text = percent(fraction, 0);
  if (fraction === undefined || fraction === null || !Number.isFinite(fraction)) return text;
  return fraction >= 0.8 ? style.red(text) : fraction >= 0.5 ? style.yellow(text) : style.green(text);
}

function risk(s: Snapshot, style: Style): Table {
  const m = s.metrics;
  const rows: Row[] = [];
  const scopes = [["account", m?.account] as const, ...Object.entries(m?.strategies ?? {})];
  for (const [scope, e] of scopes) {
    if (!e) continue;
    const strategy = scope === "account" ? {} : { strategy: scope };
    const measure = (name: string, value: string) =>
      rows.push({ key: `${scope}/${name}`, cells: [scope, name, value, "", ""], ...strategy });
    measure("drawdown", percent(e.drawdown));
    measure("leverage", e.leverage == null ? "--" : e.leverage.toFixed(2));
    if (scope === "account") measure("daily P&L", pnl(style, e.dailyPnl));
    for (const [name, use] of Object.entries(e.limits ?? {})) {
      rows.push({
        key: `${scope}/${name}`,
        cells: [scope, name, quantity(use.used), quantity(use.limit), usage(style, use.usage)],
        ...strategy,
      });
    }
  }
  return {
    title: `Risk  ${state(style, m?.trading)}`,
    columns: [col("scope", 10), col("measure", 16, { grow: true }), num("value", 12), num("limit", 12), num("use", 5)],
    rows,
    empty: m ? "no measure" : "waiting for the daemon",
  };
}

function alerts(s: Snapshot, style: Style, now: number): Table {
  return {
    title: "Alerts",
    columns: [col("time", 10), col("level", 5), col("message", 30, { grow: true })],
    rows: (s.alerts ?? []).map((a) => {
      const strategy = typeof a.fields?.strategyId === "string" ? a.fields.strategyId : undefined;
      return {
        key: String(a.seq),
        cells: [
          clock(a.ts, now),
          a.level === "error" ? style.red(a.level) : style.yellow(a.level),
          `${a.message}${a.actor ? style.dim(`  ${a.actor}`) : ""}`,
        ],
        ...(strategy ? { strategy } : {}),
      };
    }),
    empty: s.alerts ? "no alert" : "waiting for the daemon",
  };
}

const RANK: Record<string, number> = Object.fromEntries(LOG_LEVELS.map((l, i) => [l, i]));
const strategyOf = (l: LogLine) =>
  l.strategy ?? (typeof l.fields?.strategyId === "string" ? l.fields.strategyId : undefined);

/** The lines the filter lets through (the daemon filters too; this keeps the pane right while a change applies). */
export const visibleLog = (lines: readonly LogLine[], f: LogFilter) =>
  lines.filter((l) => (RANK[l.level] ?? 0) >= RANK[f.level] && (!f.strategy || strategyOf(l) === f.strategy));

function levelText(style: Style, level: string): string {
  return level === "error"
    ? style.red(level)
    : level === "warn"
    ? style.yellow(level)
    : level === "debug"
    ? style.dim(level)
    : level;
}

const fieldsText = (fields: LogLine["fields"]) =>
  Object.entries(fields ?? {}).map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`).join(" ");

function log(s: Snapshot, style: Style, now: number, filter: LogFilter): Table {
  const title = `Log  ${filter.level}+  ${filter.strategy ? `strategy ${filter.strategy}` : "all strategies"}`;
  const columns = [col("time", 10), col("level", 5), col("actor", 16), col("message", 30, { grow: true })];
  if (s.log.kind !== "lines") {
    return { title, columns, rows: [], empty: s.log.kind === "waiting" ? "waiting for the daemon" : s.log.why };
  }
  return {
    title,
    columns,
    rows: visibleLog(s.log.lines, filter).map((l) => {
      const strategy = strategyOf(l);
      return {
        key: String(l.seq),
        cells: [clock(l.ts, now), levelText(style, l.level), l.actor, `${l.msg} ${style.dim(fieldsText(l.fields))}`],
        ...(strategy ? { strategy } : {}),
      };
    }),
    empty: "no line yet",
  };
}

export function paneTable(pane: PaneId, s: Snapshot, style: Style, now: number, filter: LogFilter): Table {
  switch (pane) {
    case "positions":
      return positions(s, style);
    case "orders":
      return orders(s, style, now);
    case "strategies":
      return strategies(s, style);
    case "risk":
      return risk(s, style);
    case "alerts":
      return alerts(s, style, now);
    case "log":
      return log(s, style, now, filter);
  }
}

/** The rows `/` lets through: those whose visible text contains the query (case-insensitive). */
export function searched(rows: readonly Row[], query: string): readonly Row[] {
  const q = query.trim().toLowerCase();
  return q === "" ? rows : rows.filter((r) => strip(r.cells.join(" ")).toLowerCase().includes(q));
}
