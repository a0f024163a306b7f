/**
 * The operator commands on the control API (/api/v1): what `deno task live status|kill|resume|strategies|positions|
 * orders|limits` send and how they print it. A table by default, the API's JSON with --json (for scripts); the
 * exit code is 0 when the daemon said yes, 1 otherwise (its error printed).
 *
 *   live strategies                                   GET  /api/v1/strategies
 *   live positions [--strategy ID] [--symbol S]       GET  /api/v1/positions
 *   live orders [--strategy ID] [--symbol S] [--status open|filled|…] [--since T] [--limit N] [--cursor C]
 *                                                     GET  /api/v1/orders
 *   live limits                                       GET  /api/v1/risk/metrics (limits in force and their use)
 *   live limits set [--strategy ID] NAME=VALUE… --reason TEXT   (VALUE "none" removes the limit)
 *                                                     POST /api/v1/risk/limits
 */

export interface Daemon {
  readonly url: string;
  readonly token?: string;
}

export class ApiUsageError extends Error {}

export interface ApiAnswer {
  readonly status: number;
  readonly doc: unknown;
}

export async function callApi(daemon: Daemon, method: string, path: string, body?: unknown): Promise<ApiAnswer> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (daemon.token) headers.authorization = `Bearer ${daemon.token}`;
  const response = await fetch(`${daemon.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(10_000),
  }).catch((err) => {
    const why = (err as Error).name === "TimeoutError" ? "no answer within 10 s" : (err as Error).message;
    throw new Error(`cannot reach the daemon at ${daemon.url} (${why}); is it running?`);
  });
  const text = await response.text();
  let doc: unknown = text;
  try {
    doc = JSON.parse(text);
  } catch { /* not JSON: shown as it is */ }
  return { status: response.status, doc };
}

type Row = Record<string, unknown>;

/** Columns aligned, numbers right-aligned, nulls as "-". */
export function table(rows: readonly Row[], columns: readonly string[]): string {
  if (rows.length === 0) return "(none)";
  const cell = (v: unknown) =>
    v === null || v === undefined
      ? "-"
      : typeof v === "number"
      ? (Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 4 : 2))
      : typeof v === "object"
      ? JSON.stringify(v)
      : String(v);
  const cells = rows.map((r) => columns.map((c) => cell(r[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const numeric = columns.map((c) => rows.every((r) => r[c] === null || typeof r[c] === "number"));
  const line = (values: readonly string[]) =>
    values.map((v, i) => (numeric[i] ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join("  ").trimEnd();
  return [line(columns), ...cells.map(line)].join("\n");
}

const query = (values: Record<string, unknown>, names: readonly string[]) => {
  const params = new URLSearchParams();
  for (const name of names) {
    const v = values[name];
    if (typeof v === "string") params.set(name, v);
  }
  const text = params.toString();
  return text ? `?${text}` : "";
};

/** `maxLoss=500 maxOpenOrders=none` → { maxLoss: 500, maxOpenOrders: null }. */
export function parseLimitArgs(args: readonly string[]): Record<string, number | null> {
  if (args.length === 0) throw new ApiUsageError("limits set needs at least one NAME=VALUE (VALUE none removes it)");
  const out: Record<string, number | null> = {};
  for (const arg of args) {
    const m = /^([A-Za-z]+)=(.+)$/.exec(arg);
    if (!m) throw new ApiUsageError(`not NAME=VALUE: ${JSON.stringify(arg)}`);
    const value = m[2] === "none" || m[2] === "null" ? null : Number(m[2]);
    if (value !== null && !Number.isFinite(value)) {
      throw new ApiUsageError(`${m[1]}: ${JSON.stringify(m[2])} is not a number (or none)`);
    }
    out[m[1]] = value;
  }
  return out;
}

function render(command: string, doc: Row): string {
  switch (command) {
    case "strategies":
      return `trading: ${doc.trading}\n` + table(
        (doc.strategies as Row[]).map((s) => ({
          ...s,
          positions: (s.positions as Row[]).map((p) => `${p.symbol} ${p.qty}`).join(", "),
        })),
        ["id", "status", "capital", "equity", "unrealized", "commissions", "positions", "reason"],
      );
    case "positions": {
      const rows = [
        ...(doc.total as Row[]).map((p) => ({ strategy: "(account)", ...p })),
        ...Object.entries(doc.strategies as Record<string, Row[]>).flatMap(([id, list]) =>
          list.map((p) => ({ strategy: id, ...p }))
        ),
      ];
      return table(rows, ["strategy", "symbol", "qty", "avgPrice", "lastPrice", "unrealized", "realized"]);
    }
    case "orders": {
      const rows = (doc.items as Row[]).map((o) => ({ ...o, created: new Date(o.createdAt as number).toISOString() }));
      const more = doc.nextCursor ? `\nmore: --cursor ${doc.nextCursor}` : "";
      return table(rows, [
        "seq",
        "clientOrderId",
        "strategyId",
        "symbol",
        "side",
        "type",
        "qty",
        "status",
        "filledQty",
        "avgFillPrice",
        "created",
        "reason",
      ]) + more;
    }
    case "limits": {
      const scopes: [string, Row][] = [
        ["(account)", doc.account as Row],
        ...Object.entries(doc.strategies as Record<string, Row>),
      ];
      const rows = scopes.flatMap(([scope, m]) =>
        Object.entries(m.limits as Record<string, Row>).map(([name, u]) => ({ scope, name, ...u }))
      );
      const heads = scopes.map(([scope, m]) => ({
        scope,
        equity: m.equity,
        gross: m.gross,
        net: m.net,
        leverage: m.leverage,
        drawdown: m.drawdown,
      }));
      return `trading: ${doc.trading}\n${
        table(heads, ["scope", "equity", "gross", "net", "leverage", "drawdown"])
      }\n\n` +
        table(rows, ["scope", "name", "limit", "used", "usage"]);
    }
    default:
      return JSON.stringify(doc, null, 2);
  }
}

/** Runs one API command against the daemon; prints the answer; returns the exit code. */
export async function apiCommand(
  command: "strategies" | "positions" | "orders" | "limits",
  args: readonly string[],
  values: Record<string, unknown>,
  daemon: Daemon,
): Promise<number> {
  let answer: ApiAnswer;
  if (command === "limits" && args[0] === "set") {
    const reason = values.reason;
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new ApiUsageError("limits set needs --reason TEXT (it is journaled)");
    }
    const strategy = values.strategy as string | undefined;
    answer = await callApi(daemon, "POST", "/api/v1/risk/limits", {
      scope: strategy ? { kind: "strategy", strategyId: strategy } : { kind: "account" },
      limits: parseLimitArgs(args.slice(1)),
      reason,
    });
  } else {
    if (args.length > 0) throw new ApiUsageError(`unexpected ${JSON.stringify(args[0])} after "${command}"`);
    const path = {
      strategies: "/api/v1/strategies",
      positions: `/api/v1/positions${query(values, ["strategy", "symbol"])}`,
      orders: `/api/v1/orders${query(values, ["strategy", "symbol", "status", "since", "limit", "cursor"])}`,
      limits: "/api/v1/risk/metrics",
    }[command];
    answer = await callApi(daemon, "GET", path);
  }
  const ok = answer.status >= 200 && answer.status < 300;
  if (!ok) {
    const doc = answer.doc as { error?: string } | string;
    console.error(
      `daemon answered ${answer.status}: ${typeof doc === "string" ? doc : doc.error ?? JSON.stringify(doc)}`,
    );
    return 1;
  }
  const set = command === "limits" && args[0] === "set";
  console.log(values.json || set ? JSON.stringify(answer.doc, null, 2) : render(command, answer.doc as Row));
  return 0;
}
