/**
 * The paper venue: the simulated exchange's matching engine behind the `VenueClient` interface, durable like a
 * real venue. Its book lives in its own SQLite file (not the daemon's journal), written in one transaction per
 * request, so a daemon killed at any instant finds the venue as it left it and must reconcile with it, exactly
 * as with Binance. It dedupes on client order id and logs every submit it receives (`venue_submits`), which is
 * how tests prove no order was ever sent twice.
 */
import { DatabaseSync } from "node:sqlite";
import { dirname } from "node:path";
import { mkdirSync } from "node:fs";
import type { Bar, OrderEvent, OrderRequest } from "../../protocol/mod.ts";
import { ConfigError } from "../../runtime/mod.ts";
import {
  accountEquity,
  cancelOrder,
  createSimState,
  DEFAULT_SIM_CONFIG,
  onBar,
  setStrategyCapital,
  type SimConfig,
  submitOrder,
} from "../sim/matching.ts";
import type { OrderReport, SubmitContext, VenueClient } from "../venue.ts";
import { applyToReport, decode, encode, newReport, type PaperBook } from "./mapping.ts";
import { paperReport } from "./reconcile.ts";

export interface PaperClientConfig {
  /** SQLite file of the venue's book. */
  readonly path: string;
  readonly sim: SimConfig;
}

export function parsePaperClientConfig(raw: unknown, actor: string, venue: string): PaperClientConfig {
  const c = (raw ?? {}) as { path?: unknown; sim?: Partial<SimConfig> };
  if (typeof c.path !== "string" || c.path.length === 0) throw new ConfigError(actor, "client.path", "required");
  const sim = { ...DEFAULT_SIM_CONFIG, ...c.sim, venue };
  if (!(sim.initialCash > 0)) throw new ConfigError(actor, "client.sim.initialCash", "must be > 0");
  return { path: c.path, sim };
}

export function openPaperVenue(config: PaperClientConfig): PaperVenue {
  mkdirSync(dirname(config.path), { recursive: true });
  const db = new DatabaseSync(config.path);
  db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 5000;
    CREATE TABLE IF NOT EXISTS venue_book (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS venue_submits (n INTEGER PRIMARY KEY AUTOINCREMENT, client_order_id TEXT NOT NULL,
      ts INTEGER NOT NULL);`);
  const row = db.prepare("SELECT data FROM venue_book WHERE id = 1").get() as { data: string } | undefined;
  const book: PaperBook = row ? decode<PaperBook>(row.data) : { sim: createSimState(config.sim), reports: new Map() };
  return new PaperVenue(db, book);
}

/** The venue side: plain synchronous calls, each one durable before it returns. */
export class PaperVenue {
  constructor(private readonly db: DatabaseSync, readonly book: PaperBook) {}

  /** Runs `change` on the book and persists it (and a submit log row) in one transaction. */
  private transact<T>(change: (touched: Set<string>) => T, submitted?: OrderRequest, now = 0): T {
    const touched = new Set<string>();
    const result = change(touched);
    this.db.exec("BEGIN IMMEDIATE");
    try {
      if (submitted) {
        this.db.prepare("INSERT INTO venue_submits (client_order_id, ts) VALUES (?, ?)").run(
          submitted.clientOrderId,
          now,
        );
      }
      this.db.prepare(
        "INSERT INTO venue_book (id, data) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data",
      )
        .run(encode(this.book));
      this.db.exec("COMMIT");
    } catch (err) {
      this.db.exec("ROLLBACK");
      throw err;
    }
    return result;
  }

  private emitter(touched: Set<string>) {
    return (_to: string, event: OrderEvent) => {
      if (event.type === "OrderSubmitted") return;
      const cid = event.clientOrderId;
      let report = this.book.reports.get(cid);
      if (!report) {
        // An order the engine created itself (a bracket leg): take its request from the book.
        const resting = this.book.sim.orders.find((r) => r.order.clientOrderId === cid);
        if (!resting) return;
        report = newReport(resting.order, "", event.type === "OrderAccepted" ? event.ts : 0);
      }
      this.book.reports.set(cid, applyToReport(report, event));
      touched.add(cid);
    };
  }

  submit(order: OrderRequest, now: number): OrderReport {
    return this.transact(
      () => {
        const known = this.book.reports.get(order.clientOrderId);
        if (known) return known; // dedupe on client order id: the venue answers with the existing order
        this.book.reports.set(order.clientOrderId, newReport(order, "", now));
        submitOrder(this.book.sim, order, "paper", now, this.emitter(new Set()));
        return this.book.reports.get(order.clientOrderId)!;
      },
      order,
      now,
    );
  }

  cancel(clientOrderId: string, now: number): OrderReport | undefined {
    const report = this.book.reports.get(clientOrderId);
    if (!report || report.status !== "open") return report;
    return this.transact((touched) => {
      cancelOrder(this.book.sim, clientOrderId, report.strategyId, "paper", now, this.emitter(touched));
      return this.book.reports.get(clientOrderId);
    });
  }

  /** Matches one bar; a bar at or before the last one seen for its symbol was handled already (idempotent). */
  bar(bar: Bar): OrderReport[] {
    const last = this.book.sim.lastBar.get(bar.symbol);
    if (last && last.ts >= bar.ts) return [];
    return this.transact((touched) => {
      onBar(this.book.sim, bar, this.emitter(touched));
      return [...touched].map((cid) => this.book.reports.get(cid)!);
    });
  }

  equity(): number {
    return accountEquity(this.book.sim);
  }

  /** A strategy added while running gets its sub-account (sizing from its own capital); durable. */
  setStrategyCapital(strategyId: string, capital: number): void {
    this.transact(() => setStrategyCapital(this.book.sim, strategyId, capital));
  }

  /** Every submit the venue received, and how many distinct client order ids among them. */
  submits(): { total: number; distinct: number } {
    const row = this.db.prepare(
      "SELECT COUNT(*) AS total, COUNT(DISTINCT client_order_id) AS distinct_ids FROM venue_submits",
    )
      .get() as { total: number; distinct_ids: number };
    return { total: Number(row.total), distinct: Number(row.distinct_ids) };
  }

  close(): void {
    this.db.close();
  }
}

/** The paper venue as a `VenueClient` (in-process calls, so it is never unavailable). */
export function paperClient(venue: PaperVenue, name: string): VenueClient {
  return {
    name,
    connect: () => Promise.resolve(),
    submit: (order: OrderRequest, context: SubmitContext) => Promise.resolve(venue.submit(order, context.now)),
    cancel: (cid, _symbol, now) => Promise.resolve(venue.cancel(cid, now)),
    report: (cid) => Promise.resolve(paperReport(venue.book, cid)),
    openOrders: () => Promise.resolve([...venue.book.reports.values()].filter((r) => r.status === "open")),
    balances: () =>
      Promise.resolve([{ currency: "USD", free: venue.book.sim.account.balance, locked: 0 }, {
        currency: "EQUITY",
        free: venue.equity(),
        locked: 0,
      }]),
    onBar: (bar) => Promise.resolve(venue.bar(bar)),
    setStrategyCapital: (strategyId, capital) => Promise.resolve(venue.setStrategyCapital(strategyId, capital)),
    close: () => Promise.resolve(venue.close()),
  };
}
