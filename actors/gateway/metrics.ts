/**
 * Prometheus text exposition (format 0.0.4) of the daemon: per-actor counters from the host, the account and risk
 * figures from one status read. Pure: the route gathers the inputs, this renders them, so the format is tested alone.
 * Counters restart from zero with the daemon; Prometheus's rate() and increase() handle that.
 */
import type { ActorStats } from "../runtime/mod.ts";

export interface MetricsInput {
  readonly actors: readonly ActorStats[];
  /** The /status document (portfolio, risk, adapter); a part that did not answer has an `error` field. */
  readonly status: {
    readonly portfolio?: { readonly total?: { readonly equity?: number }; readonly error?: string };
    readonly risk?: {
      readonly trading?: string;
      readonly peakEquity?: number | null;
      readonly openOrders?: number;
      readonly counts?: Readonly<Record<string, number>>;
      readonly strategies?: Readonly<Record<string, { readonly status: string }>>;
      /** Order latency histograms on the guardian's clock (risk_guardian/latency.ts). */
      readonly latency?: Readonly<Record<"ack" | "barToOrder", HistogramData | undefined>>;
      readonly error?: string;
    };
    readonly adapter?: AdapterStatus;
    /** Several venues: each venue's adapter; the venue gauges then carry a `venue` label. */
    readonly venues?: Readonly<Record<string, AdapterStatus>>;
  };
  readonly treeFailed: boolean;
  readonly rssBytes: number;
  readonly now: number;
}

interface AdapterStatus {
  readonly phase?: string;
  readonly bars?: Readonly<Record<string, { readonly ts: number; readonly at: number }>>;
  readonly error?: string;
}

/** A histogram as the risk guardian reports it: upper bounds (seconds), counts per bucket (the last: above all). */
export interface HistogramData {
  readonly buckets: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum: number;
}

const TRADING_STATES = ["ACTIVE", "REDUCING", "HALTED"] as const;
const STRATEGY_STATES = ["ACTIVE", "STOPPED", "QUARANTINED"] as const;

/** Label values: backslash, double quote and line feed escaped, as the format requires. */
const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

const num = (v: number) => (Number.isFinite(v) ? String(v) : v > 0 ? "+Inf" : v < 0 ? "-Inf" : "NaN");

type Sample = readonly [labels: Readonly<Record<string, string>>, value: number];

export function renderMetrics(input: MetricsInput): string {
  const out: string[] = [];
  const family = (name: string, type: "counter" | "gauge", help: string, samples: readonly Sample[]) => {
    if (samples.length === 0) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const entries = Object.entries(labels);
      const set = entries.length === 0 ? "" : `{${entries.map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}`;
      out.push(`${name}${set} ${num(value)}`);
    }
  };
  /** A Prometheus histogram: cumulative `_bucket{le}` lines up to `+Inf`, then `_sum` and `_count`. */
  const histogram = (name: string, help: string, h: HistogramData | undefined) => {
    if (!h || h.counts.length !== h.buckets.length + 1) return;
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
    let cumulative = 0;
    h.buckets.forEach((le, i) => {
      cumulative += h.counts[i];
      out.push(`${name}_bucket{le="${num(le)}"} ${cumulative}`);
    });
    out.push(`${name}_bucket{le="+Inf"} ${h.count}`, `${name}_sum ${num(h.sum)}`, `${name}_count ${h.count}`);
  };
  const per = (f: (s: ActorStats) => number): Sample[] => input.actors.map((s) => [{ actor: s.path }, f(s)]);
  const { portfolio, risk, adapter } = input.status;

  family("tradeactor_up", "gauge", "1 while the supervision tree runs, 0 once it failed.", [[
    {},
    input.treeFailed ? 0 : 1,
  ]]);
  family("tradeactor_actor_messages_total", "counter", "Messages the actor has handled.", per((s) => s.processed));
  family("tradeactor_actor_mailbox_depth", "gauge", "Messages waiting in the actor's mailbox.", per((s) => s.depth));
  family("tradeactor_actor_mailbox_max_depth", "gauge", "Deepest the mailbox has been.", per((s) => s.maxDepth));
  family(
    "tradeactor_actor_restarts_total",
    "counter",
    "Restarts of the actor by its supervisor.",
    per((s) => s.restarts),
  );
  family(
    "tradeactor_actor_mailbox_rejected_total",
    "counter",
    "Messages refused because the mailbox was full.",
    per((s) => s.rejected),
  );
  family("tradeactor_actor_running", "gauge", "1 while the actor runs.", per((s) => (s.running ? 1 : 0)));

  if (risk && risk.error === undefined) {
    const counts = risk.counts ?? {};
    const c = (k: string) => counts[k] ?? 0;
    family("tradeactor_fills_total", "counter", "Fills reported by the venue (partial fills included).", [[
      {},
      c("OrderFilled") + c("OrderPartiallyFilled"),
    ]]);
    family("tradeactor_order_rejects_total", "counter", "Orders the venue rejected.", [[{}, c("OrderRejected")]]);
    const decisions = Object.entries(counts).filter(([k]) => k.startsWith("decision:")).sort(([a], [b]) =>
      a < b ? -1 : 1
    );
    family(
      "tradeactor_risk_decisions_total",
      "counter",
      'Risk guardian decisions by kind ("deny" is an order denied by a limit).',
      decisions.map(([k, v]) => [{ decision: k.slice("decision:".length) }, v]),
    );
    family(
      "tradeactor_risk_denials_total",
      "counter",
      "Orders the risk guardian denied.",
      [[{}, counts["decision:deny"] ?? 0]],
    );
    if (risk.trading !== undefined) {
      family(
        "tradeactor_trading_state",
        "gauge",
        "1 for the account's current trading state.",
        TRADING_STATES.map((s) => [{ state: s }, risk.trading === s ? 1 : 0]),
      );
    }
    if (risk.openOrders !== undefined) {
      family("tradeactor_open_orders", "gauge", "Orders open at the venue.", [[{}, risk.openOrders]]);
    }
    histogram(
      "tradeactor_order_ack_latency_seconds",
      "Order sent on to the venue by the risk guardian → the venue's first answer (accepted, rejected or filled).",
      risk.latency?.ack,
    );
    histogram(
      "tradeactor_bar_to_order_latency_seconds",
      "Bar handed to the strategies → the first order a strategy sends for that symbol after it.",
      risk.latency?.barToOrder,
    );
    const strategies = Object.entries(risk.strategies ?? {}).sort(([a], [b]) => (a < b ? -1 : 1));
    family(
      "tradeactor_strategy_status",
      "gauge",
      "1 for each strategy's current status.",
      strategies.flatMap(([id, s]) =>
        STRATEGY_STATES.map((st): Sample => [{ strategy: id, status: st }, s.status === st ? 1 : 0])
      ),
    );
  }
  const equity = portfolio?.error === undefined ? portfolio?.total?.equity : undefined;
  if (equity !== undefined) {
    family("tradeactor_equity", "gauge", "Account equity, marked to market (quote currency).", [[{}, equity]]);
    const peak = risk?.peakEquity;
    if (typeof peak === "number" && Number.isFinite(peak) && peak > 0) {
      family("tradeactor_drawdown_ratio", "gauge", "Fraction below the peak equity the risk guardian has seen.", [[
        {},
        Math.max(0, 1 - equity / peak),
      ]]);
    }
  }
  // One venue: unlabelled; several: one sample per venue (an adapter that did not answer is not ready).
  const venues: [Record<string, string>, AdapterStatus][] = input.status.venues
    ? Object.entries(input.status.venues).map(([venue, a]) => [{ venue }, a])
    : adapter && adapter.error === undefined
    ? [[{}, adapter]]
    : [];
  family(
    "tradeactor_venue_ready",
    "gauge",
    "1 once the venue adapter has reconciled.",
    venues.map(([labels, a]) => [labels, a.error === undefined && a.phase === "ready" ? 1 : 0]),
  );
  family(
    "tradeactor_feed_lag_seconds",
    "gauge",
    "Seconds since the venue adapter received the last bar of the symbol.",
    venues.flatMap(([labels, a]) =>
      Object.entries(a.bars ?? {}).sort(([x], [y]) => (x < y ? -1 : 1)).map(([symbol, b]): Sample => [
        { ...labels, symbol },
        Math.max(0, (input.now - b.at) / 1000),
      ])
    ),
  );
  family("tradeactor_resident_memory_bytes", "gauge", "Resident memory of the daemon process (every Worker).", [[
    {},
    input.rssBytes,
  ]]);
  return out.join("\n") + "\n";
}
