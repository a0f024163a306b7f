/**
 * The daemon's part in quarantine (the guardian's is actors/risk_guardian/strategy_status.ts):
 * - the runtime's lifecycle events of strategy actors (crashed, restarted, quarantined) go to the risk guardian,
 *   which stops waiting for a strategy that is down and disables one the runtime left down;
 * - a strategy whose Worker hung cannot be stopped (its thread leaks) and costs a process restart: before the
 *   daemon exits for it, the strategy is recorded QUARANTINED in the journal, with the last bar it handled;
 * - at start, the strategies the journal ends with disabled go to the guardian's config: a restarted daemon feeds
 *   them the replay up to that bar and disables them again, so a poison strategy costs one restart, not a loop.
 */
import type { ChildSpec, Host, TreeEvent } from "../runtime/mod.ts";
import type { Journal } from "../../storage/journal/types.ts";
import type { DisabledRecord, StrategyLifecycle, StrategyReport } from "../risk_guardian/strategy_status.ts";
import { PATHS } from "./live_tree.ts";

const PREFIX = PATHS.strategy("");
const STATUS = /^strategy:(ACTIVE|STOPPED|QUARANTINED)$/;

/** The strategy id of a strategy actor's path; undefined for any other actor. */
export function strategyIdOf(path: string): string | undefined {
  if (!path.startsWith(PREFIX)) return undefined;
  const id = path.slice(PREFIX.length);
  return id.length > 0 && !id.includes("/") ? id : undefined;
}

/** The guardian's message for a tree event of a strategy actor, if it is one. */
export function lifecycleOf(event: TreeEvent): StrategyLifecycle | undefined {
  if (event.type !== "crashed" && event.type !== "restarted" && event.type !== "quarantined") return undefined;
  const strategyId = strategyIdOf(event.path);
  if (strategyId === undefined) return undefined;
  const detail = event.type === "crashed" ? event.error : event.type === "quarantined" ? event.reason : "";
  return { type: "StrategyLifecycle", strategyId, phase: event.type, detail };
}

interface StatusPayload {
  readonly strategy?: { readonly strategyId?: unknown; readonly status?: unknown } & Partial<DisabledRecord>;
}

/** The configured strategies the journal's risk stream leaves disabled (the last status decision of each wins). */
export async function disabledStrategies(
  journal: Journal,
  ids: readonly string[],
): Promise<Record<string, DisabledRecord>> {
  const out: Record<string, DisabledRecord> = {};
  for (const r of await journal.read({ stream: "risk" })) {
    if (!STATUS.test(r.type)) continue;
    const s = (r.payload as StatusPayload | undefined)?.strategy;
    if (typeof s?.strategyId !== "string" || !ids.includes(s.strategyId)) continue;
    if (s.status !== "STOPPED" && s.status !== "QUARANTINED") {
      delete out[s.strategyId];
      continue;
    }
    out[s.strategyId] = {
      status: s.status,
      reason: String(s.reason ?? ""),
      since: Number(s.since ?? r.ts),
      flatten: s.flatten !== false,
      ...(s.lastBar ? { lastBar: { symbol: s.lastBar.symbol, ts: s.lastBar.ts } } : {}),
    };
  }
  return out;
}

/** Adds fields to the risk guardian's config in the tree spec (the tree is data until it starts). */
export function withRiskConfig(tree: { readonly children: readonly ChildSpec[] }, extra: Record<string, unknown>) {
  for (const child of tree.children) {
    if (child.kind === "actor" && PATHS.risk.endsWith(`/${child.id}`)) {
      Object.assign(child, { config: { ...(child.config as object), ...extra } });
    }
  }
}

/**
 * A strategy's Worker hung: the guardian disables it now (no more bars, its orders cancelled), and the journal
 * records it QUARANTINED with the last bar it handled, durably, before the daemon exits for a process restart.
 */
export async function recordHung(host: Host, journal: Journal, strategyId: string, detail: string) {
  const lifecycle: StrategyLifecycle = { type: "StrategyLifecycle", strategyId, phase: "quarantined", detail };
  try {
    host.tell(PATHS.risk, lifecycle);
  } catch { /* the guardian is unreachable: the journal record below still brings it back disabled */ }
  const reply = await host.ask<{ type: "RiskState"; strategies?: Record<string, StrategyReport> }>(
    PATHS.risk,
    { type: "GetRiskState" },
    3_000,
  ).catch(() => undefined);
  const report = reply?.strategies?.[strategyId];
  const now = Date.now();
  const record: DisabledRecord = {
    status: "QUARANTINED",
    reason: detail,
    since: report?.since ?? now,
    flatten: report?.flatten ?? true,
    ...(report?.lastBar ? { lastBar: report.lastBar } : {}),
  };
  const decision = "strategy:QUARANTINED";
  await journal.append([{
    eventId: `daemon:hung:${strategyId}:${now}`,
    stream: "risk",
    type: decision,
    ts: now,
    payload: { decision, detail: `${strategyId}: ${detail}`, strategy: { strategyId, ...record } },
  }]);
  return record;
}
