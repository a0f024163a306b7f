/**
 * Strategies (read side): the list with each strategy's status (risk guardian), limits, capital and book
 * (portfolio), and one strategy's performance: its equity curve from the journal and the backtest report's
 * statistics. Adding, changing and removing strategies at run time are other routes of this resource
 * (strategy_control.ts), whose roster adds what each strategy runs to this list.
 */
import { json, refuse } from "../http.ts";
import {
  BOOK_FIELDS,
  EQUITY_POINTS,
  ERROR,
  map,
  maybe,
  num,
  obj,
  STATS,
  str,
  STRATEGY_ID,
  STRATEGY_STATUS,
} from "../api_schemas.ts";
import { riskOf, strategiesDocument } from "../readers.ts";
import type { Schema } from "../schema.ts";
import { ROSTER_FIELDS } from "./strategy_control.ts";
import { type ControlDeps, guarded, journalView, type RouteModule } from "./deps.ts";

export const STRATEGY: Schema = {
  type: "object",
  fields: {
    id: STRATEGY_ID,
    status: STRATEGY_STATUS,
    reason: maybe(str(2_000, "why it is not ACTIVE")),
    since: maybe(num("epoch ms: since when")),
    capital: maybe(num("what its P&L and maxLoss count from")),
    limits: map(num(), "its own limits in force (beside the account's)"),
    // What it runs and from where (the daemon's roster); absent for an id only the journal still knows.
    ...ROSTER_FIELDS,
    ...BOOK_FIELDS,
  },
  required: [
    "id",
    "status",
    "reason",
    "since",
    "capital",
    "limits",
    "balance",
    "equity",
    "unrealized",
    "commissions",
    "positions",
  ],
};

export const STRATEGY_PERFORMANCE: Schema = obj({
  id: STRATEGY_ID,
  capital: num(),
  equity: num(),
  pnl: num(),
  stats: maybe(STATS),
  points: EQUITY_POINTS,
});

/** At most `max` points, evenly spread, the first and the last always kept. */
export function thin(ts: Float64Array, equity: Float64Array, max: number): [number, number][] {
  const n = ts.length;
  if (n <= max) return Array.from(ts, (t, i) => [t, equity[i]]);
  const out: [number, number][] = [];
  for (let k = 0; k < max; k++) {
    const i = max === 1 ? n - 1 : Math.round((k * (n - 1)) / (max - 1));
    out.push([ts[i], equity[i]]);
  }
  return out;
}

async function strategyPerformance(deps: ControlDeps, id: string, points: number): Promise<Response> {
  const [view, risk] = await Promise.all([journalView(deps), riskOf(deps)]);
  const known = risk.capital?.[id] !== undefined || risk.strategies?.[id] !== undefined ||
    view.equity.strategies().includes(id);
  if (!known) return refuse(404, `no strategy ${JSON.stringify(id)}`);
  const capital = risk.capital?.[id] ?? 0;
  const performance = view.equity.performance(id, capital);
  const curve = view.equity.curve(id, capital);
  return json({ id, ...performance, points: thin(curve.ts, curve.equity, points) });
}

export const strategyRoutes: RouteModule = (deps) => [
  {
    method: "GET",
    path: "/api/v1/strategies",
    access: "read",
    mutating: false,
    tag: "strategies",
    summary: "Every strategy: status, capital, limits, equity and positions",
    responses: {
      200: {
        description: "the strategies, by id",
        schema: obj({
          trading: str(20, "the account's trading state"),
          strategies: { type: "array", items: STRATEGY },
        }),
      },
      503: { description: "the risk guardian or the portfolio did not answer", schema: ERROR },
    },
    handle: guarded(async () => json(await strategiesDocument(deps))),
  },
  {
    method: "GET",
    path: "/api/v1/strategies/{id}/performance",
    access: "read",
    mutating: false,
    tag: "strategies",
    summary: "One strategy's equity curve (from the journal) and the backtest report's statistics",
    params: { id: STRATEGY_ID },
    query: {
      fields: {
        points: { type: "number", integer: true, min: 1, max: 5_000, description: "curve points (default 500)" },
      },
    },
    responses: {
      200: { description: "the strategy's performance", schema: STRATEGY_PERFORMANCE },
      404: { description: "no such strategy", schema: ERROR },
      503: { description: "the journal or the risk guardian is unavailable", schema: ERROR },
    },
    handle: guarded(({ params, query }) =>
      strategyPerformance(deps, params.id, (query.points as number | undefined) ?? 500)
    ),
  },
];
