/**
 * Equity curves rebuilt from the journal with the portfolio's own code (ledger.ts, round_trips.ts): the venue's bars
 * mark every book, its fills move them, and each bar close records a point, as the portfolio does live. So a curve
 * spans restarts, and its last point is the portfolio's equity. Books hold P&L (they start at 0) so a strategy's
 * capital, known to the risk guardian, can be added when answering. The statistics are the backtest report's
 * (backtest/report, handed in by the command line: actors/ do not import backtest/), with the first symbol seen as
 * the benchmark.
 */
import type { Bar, Fill } from "../../protocol/mod.ts";
import { applyFill, createLedger, equity, type Ledger, markPrice } from "../../portfolio/ledger.ts";
import { createRoundTrips, markRange, recordFill, type RoundTrips } from "../../portfolio/round_trips.ts";

/** What the backtest report needs of one curve (backtest/report's ReportInput). */
export interface StatisticsInput {
  readonly ts: Float64Array;
  readonly equity: Float64Array;
  /** The benchmark's close at each point. */
  readonly close: Float64Array;
  readonly trades: RoundTrips["closed"];
  readonly initialCash: number;
  readonly totalCommission: number;
  readonly turnover: number;
}

/** The report's statistics of a curve by name, null where undefined; throws RangeError when it cannot compute. */
export type Statistics = (input: StatisticsInput) => Readonly<Record<string, number | null>>;

interface Book {
  readonly ledger: Ledger;
  readonly trips: RoundTrips;
  pnl: Float64Array;
}

export interface Curve {
  readonly ts: Float64Array;
  readonly equity: Float64Array;
}

export interface Performance {
  readonly capital: number;
  readonly equity: number;
  readonly pnl: number;
  /** The report's statistics by name, null where undefined; null before the first bar or without `Statistics`. */
  readonly stats: Readonly<Record<string, number | null>> | null;
}

export interface EquityView {
  bar(bar: Bar): void;
  fill(fill: Fill): void;
  /** Strategies with a book (a fill seen). */
  strategies(): string[];
  /** Account (strategyId undefined) or one strategy, its capital added. */
  curve(strategyId: string | undefined, capital: number): Curve;
  performance(strategyId: string | undefined, capital: number): Performance;
  readonly points: number;
}

const grow = (a: Float64Array, n: number): Float64Array => {
  if (n < a.length) return a;
  const next = new Float64Array(Math.max(1024, a.length * 2));
  next.set(a);
  return next;
};

export function createEquityView(statistics?: Statistics): EquityView {
  const total: Book = { ledger: createLedger(0), trips: createRoundTrips(), pnl: new Float64Array(1024) };
  const books = new Map<string, Book>();
  let ts: Float64Array = new Float64Array(1024);
  let close: Float64Array = new Float64Array(1024);
  let n = 0;
  let benchmark: string | undefined;
  let benchmarkClose = NaN;

  const record = (book: Book, i: number) => {
    book.pnl = grow(book.pnl, i);
    book.pnl[i] = equity(book.ledger);
  };
  const bookOf = (id: string) => {
    let book = books.get(id);
    if (!book) {
      // P&L is 0 before the first fill: the new book's points so far are zeros.
      book = { ledger: createLedger(0), trips: createRoundTrips(), pnl: new Float64Array(Math.max(1024, n)) };
      books.set(id, book);
    }
    return book;
  };

  return {
    bar(bar) {
      benchmark ??= bar.symbol;
      if (bar.symbol === benchmark) benchmarkClose = bar.close;
      markPrice(total.ledger, bar.symbol, bar.close);
      for (const book of books.values()) {
        markPrice(book.ledger, bar.symbol, bar.close);
        markRange(book.trips, bar.symbol, bar.low, bar.high);
      }
      // Several symbols' bars of one time make one point: the last one wins, as the portfolio's last EndOfBar does.
      const i = n > 0 && ts[n - 1] === bar.ts ? n - 1 : n++;
      ts = grow(ts, i);
      close = grow(close, i);
      ts[i] = bar.ts;
      close[i] = benchmarkClose;
      record(total, i);
      for (const book of books.values()) record(book, i);
    },
    fill(f) {
      const signed = f.side === "buy" ? f.qty : -f.qty;
      applyFill(total.ledger, f.symbol, signed, f.price, f.commission, f.ts);
      const book = bookOf(f.strategyId);
      applyFill(book.ledger, f.symbol, signed, f.price, f.commission, f.ts);
      // A fill at a bar's close carries that (already recorded) bar's time: it belongs to that bar (portfolio.ts).
      const bar = n > 0 && ts[n - 1] === f.ts ? n - 1 : n;
      recordFill(book.trips, f.strategyId, f.symbol, signed, f.price, f.commission, f.ts, bar);
    },
    strategies: () => [...books.keys()],
    curve(strategyId, capital) {
      const book = strategyId === undefined ? total : books.get(strategyId);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = capital + (book ? book.pnl[i] : 0);
      return { ts: ts.slice(0, n), equity: out };
    },
    performance(strategyId, capital) {
      const book = strategyId === undefined ? total : books.get(strategyId);
      const pnl = book ? equity(book.ledger) : 0;
      if (n === 0 || !statistics) return { capital, equity: capital + pnl, pnl, stats: null };
      const curve = this.curve(strategyId, capital);
      const trades = strategyId === undefined
        ? [...books.values()].flatMap((b) => b.trips.closed).sort((a, b) => a.exitTime - b.exitTime)
        : book?.trips.closed ?? [];
      try {
        const stats = statistics({
          ts: curve.ts,
          equity: curve.equity,
          close: close.slice(0, n),
          trades,
          initialCash: capital,
          totalCommission: book?.ledger.commissions ?? 0,
          turnover: book?.ledger.turnover ?? 0,
        });
        return { capital, equity: capital + pnl, pnl, stats };
      } catch (err) {
        // The report refuses what it cannot measure (e.g. no capital: returns from 0): no statistics then.
        if (err instanceof RangeError) return { capital, equity: capital + pnl, pnl, stats: null };
        throw err;
      }
    },
    get points() {
      return n;
    },
  };
}
