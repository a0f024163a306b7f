/** The IB client's settings (the adapter's `client`), checked: connection, symbol table, throttle and waits. */
import { ConfigError } from "../../runtime/mod.ts";
import { type ContractSpec, parseSpec } from "./mapping.ts";

export interface IbClientConfig {
  readonly host: string;
  /** TWS: 7497 paper, 7496 live; IB Gateway: 4002 paper, 4001 live. */
  readonly port: number;
  readonly clientId: number;
  /** The account to trade and report (advisor logins see several); default: the first managed account. */
  readonly account?: string;
  /** Our symbol → IB contract. */
  readonly symbols: Readonly<Record<string, ContractSpec>>;
  readonly timeoutMs: number;
  readonly maxReqPerSec: number;
  /** How long a fill waits for its commission report before it is reported with commission 0. */
  readonly commissionWaitMs: number;
}

export const IB_PORTS = { twsPaper: 7497, twsLive: 7496, gatewayPaper: 4002, gatewayLive: 4001 } as const;

export function parseIbClientConfig(raw: unknown, actor: string): IbClientConfig {
  const c = (raw ?? {}) as Record<string, unknown>;
  const symbols: Record<string, ContractSpec> = {};
  const table = c.symbols as Record<string, unknown> | undefined;
  if (!table || typeof table !== "object" || Object.keys(table).length === 0) {
    throw new ConfigError(actor, "client.symbols", 'needs the symbol table, e.g. {"AAPL": {"secType": "STK"}}');
  }
  for (const [ours, spec] of Object.entries(table)) {
    const parsed = parseSpec(ours, spec);
    if (typeof parsed === "string") throw new ConfigError(actor, `client.symbols.${ours}`, parsed);
    symbols[ours] = parsed;
  }
  const int = (field: string, fallback: number, min = 0) => {
    const v = c[field] ?? fallback;
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) {
      throw new ConfigError(actor, `client.${field}`, `must be an integer ≥ ${min}, got ${JSON.stringify(v)}`);
    }
    return v;
  };
  const maxReqPerSec = int("maxReqPerSec", 40, 1);
  if (maxReqPerSec >= 50) {
    throw new ConfigError(
      actor,
      "client.maxReqPerSec",
      "must stay below TWS's 50 messages/s (error 100, then a disconnect)",
    );
  }
  return {
    host: typeof c.host === "string" ? c.host : "127.0.0.1",
    port: int("port", IB_PORTS.twsPaper, 1),
    clientId: int("clientId", 1),
    ...(typeof c.account === "string" ? { account: c.account } : {}),
    symbols,
    timeoutMs: int("timeoutMs", 10_000, 1),
    maxReqPerSec,
    commissionWaitMs: int("commissionWaitMs", 5_000),
  };
}
