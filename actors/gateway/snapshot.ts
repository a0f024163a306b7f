/**
 * One read of the actors the control endpoint reports on: portfolio, risk guardian, every venue's adapter, asked in
 * parallel with a timeout. Concurrent callers share the read in flight, so a burst of /status, /health and
 * WebSocket pushes costs the actors one round of asks, not one per request.
 */
import type { Host } from "../runtime/mod.ts";
import { errorText } from "../runtime/mod.ts";

export interface StrategyStatus {
  readonly status: "ACTIVE" | "STOPPED" | "QUARANTINED";
  readonly reason?: string;
  readonly since?: number;
}

/** What the risk guardian's GetRiskState answers (the fields read here; `strategies` may be absent). */
export interface RiskView {
  readonly trading?: string;
  readonly strategies?: Readonly<Record<string, StrategyStatus>>;
  readonly [field: string]: unknown;
}

/** Per symbol: the last bar's open time and when the adapter received it (wall clock). */
export type BarsSeen = Readonly<Record<string, { readonly ts: number; readonly at: number }>>;

export interface AdapterView {
  readonly phase?: string;
  readonly venue?: string;
  readonly bars?: BarsSeen;
  readonly [field: string]: unknown;
}

export interface PortfolioView {
  readonly total?: { readonly equity?: number; readonly [field: string]: unknown };
  readonly [field: string]: unknown;
}

/** An actor that did not answer. */
export interface AskFailure {
  readonly error: string;
}

export interface Snapshot {
  readonly portfolio: PortfolioView | AskFailure;
  readonly risk: RiskView | AskFailure;
  /** The default venue's adapter. */
  readonly adapter: AdapterView | AskFailure;
  /** Several venues: every venue's adapter by name, the default's first (the same read as `adapter`). */
  readonly venues?: Readonly<Record<string, AdapterView | AskFailure>>;
}

export const failed = (v: object): v is AskFailure => typeof (v as AskFailure).error === "string";

export interface SnapshotPaths {
  readonly risk: string;
  readonly portfolio: string;
  /** The default venue's adapter. */
  readonly exchange: string;
  /** Several venues: each venue's adapter path by name, the default's included. */
  readonly venues?: Readonly<Record<string, string>>;
}

export function createSnapshotSource(host: Host, paths: SnapshotPaths, timeoutMs: number): () => Promise<Snapshot> {
  const ask = (path: string, type: string) =>
    host.ask(path, { type }, timeoutMs).then(
      (reply) => reply as unknown as Record<string, unknown>,
      (err) => ({ type: "Error", error: errorText(err) }),
    );
  const others = Object.entries(paths.venues ?? {}).filter(([, path]) => path !== paths.exchange);
  let inFlight: Promise<Snapshot> | undefined;
  return () => {
    inFlight ??= Promise.all([
      ask(paths.portfolio, "GetPortfolio"),
      ask(paths.risk, "GetRiskState"),
      ask(paths.exchange, "GetAdapterState"),
      Promise.all(others.map(([name, path]) => ask(path, "GetAdapterState").then((a) => [name, a] as const))),
    ]).then(([portfolio, risk, adapter, rest]) => {
      if (!paths.venues) return { portfolio, risk, adapter };
      const name = Object.entries(paths.venues).find(([, path]) => path === paths.exchange)?.[0] ?? "default";
      return { portfolio, risk, adapter, venues: Object.fromEntries([[name, adapter], ...rest]) };
    }).finally(() => (inFlight = undefined));
    return inFlight;
  };
}
