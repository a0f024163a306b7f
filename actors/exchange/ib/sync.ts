/**
 * What the client asks TWS after every (re)connect, before trading may resume: the configured contracts
 * (reqContractDetails → our rules; a symbol IB does not know, or knows twice, is a config error), then the full
 * sync: open orders and today's executions (recorded into the book by the client's wired handlers), then positions
 * and the account summary.
 */
import { EventName, type IBApi } from "@stoqey/ib";
import type { Balance } from "../../protocol/mod.ts";
import { ConfigError } from "../../runtime/mod.ts";
import { VenueError } from "../venue.ts";
import { collect } from "./connection.ts";
import { type ContractRules, type ContractSpec, toContract, toRules } from "./mapping.ts";
import { type Book, markGone } from "./reconcile.ts";

export async function resolveRules(
  a: IBApi,
  symbols: readonly (readonly [string, ContractSpec])[],
  opts: { readonly venue: string; readonly timeoutMs: number; readonly nextReqId: () => number },
): Promise<[string, ContractRules][]> {
  const out: [string, ContractRules][] = [];
  for (const [ours, spec] of symbols) {
    const reqId = opts.nextReqId();
    const found = await collect({
      api: a,
      reqId,
      send: () => a.reqContractDetails(reqId, toContract(ours, spec)),
      item: EventName.contractDetails,
      pick: (id: number, d: Parameters<typeof toRules>[0]) => id === reqId ? d : undefined,
      end: EventName.contractDetailsEnd,
      isEnd: (id: number) => id === reqId,
      timeoutMs: opts.timeoutMs,
      what: `contract details of ${ours}`,
    }).catch((err) => {
      if (err instanceof VenueError && err.kind === "rejected") {
        throw new ConfigError(opts.venue, `client.symbols.${ours}`, `IB has no such contract: ${err.message}`);
      }
      throw err;
    });
    if (found.length !== 1) {
      throw new ConfigError(
        opts.venue,
        `client.symbols.${ours}`,
        `matches ${found.length} IB contracts; add exchange, currency or expiry until it matches one`,
      );
    }
    out.push([ours, toRules(found[0])]);
  }
  return out;
}

const SUMMARY_TAGS = "NetLiquidation,TotalCashValue,AvailableFunds,BuyingPower";

export interface SyncOptions {
  readonly clientId: number;
  /** Only this account's positions and values; "" = every account the login sees. */
  readonly account: string;
  readonly timeoutMs: number;
  readonly nextReqId: () => number;
  readonly now: () => number;
  readonly symbolOf: (conId: number, contract: { symbol?: string }) => string;
}

export interface AccountView {
  /** Cash per currency: free = AvailableFunds when IB gives it, else TotalCashValue. */
  readonly cash: Balance[];
  /** Our symbol → signed position. */
  readonly positions: Map<string, number>;
}

export async function fullSync(a: IBApi, book: Book, opts: SyncOptions): Promise<AccountView> {
  const started = opts.now();
  await collect({
    api: a,
    send: () => a.reqOpenOrders(),
    item: EventName.openOrder,
    pick: () => undefined, // the client's wired handler records them
    end: EventName.openOrderEnd,
    timeoutMs: opts.timeoutMs,
    what: "open orders",
  });
  const execReq = opts.nextReqId();
  await collect({
    api: a,
    reqId: execReq,
    send: () => a.reqExecutions(execReq, { clientId: String(opts.clientId) }),
    item: EventName.execDetails,
    pick: () => undefined,
    end: EventName.execDetailsEnd,
    isEnd: (id: number) => id === execReq,
    timeoutMs: opts.timeoutMs,
    what: "executions",
  });
  markGone(book, started);
  const mine = (acct: string) => !opts.account || acct === opts.account;
  const held = await collect({
    api: a,
    send: () => a.reqPositions(),
    item: EventName.position,
    pick: (acct: string, c: { conId: number; symbol: string }, pos: number) =>
      mine(acct) ? [opts.symbolOf(c.conId, c), Number(pos)] as const : undefined,
    end: EventName.positionEnd,
    timeoutMs: opts.timeoutMs,
    what: "positions",
  });
  a.cancelPositions();
  const sumReq = opts.nextReqId();
  const summary = await collect({
    api: a,
    reqId: sumReq,
    send: () => a.reqAccountSummary(sumReq, "All", SUMMARY_TAGS),
    item: EventName.accountSummary,
    pick: (id: number, acct: string, tag: string, value: string, currency: string) =>
      id === sumReq && mine(acct) ? { tag, value: Number(value), currency } : undefined,
    end: EventName.accountSummaryEnd,
    isEnd: (id: number) => id === sumReq,
    timeoutMs: opts.timeoutMs,
    what: "account summary",
  });
  a.cancelAccountSummary(sumReq);
  const cash = summary.filter((s) => s.tag === "TotalCashValue").map((s) => ({
    currency: s.currency,
    free: summary.find((x) => x.tag === "AvailableFunds" && x.currency === s.currency)?.value ?? s.value,
    locked: 0,
  }));
  return { cash, positions: new Map(held) };
}
