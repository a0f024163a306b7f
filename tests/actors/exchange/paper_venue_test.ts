/**
 * The paper venue's persistence: a request costs the same number of rows however many fills came before it, the
 * state it holds stays bounded, and reopening its file at any point (a killed process's successor) gives the book
 * an uninterrupted venue has.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { openPaperVenue, type PaperVenue } from "../../../actors/exchange/paper/book.ts";
import { encode, newReport } from "../../../actors/exchange/paper/mapping.ts";
import { createSimState, DEFAULT_SIM_CONFIG, onBar, submitOrder } from "../../../actors/exchange/sim/matching.ts";
import type { Bar, OrderEvent, OrderRequest } from "../../../actors/protocol/mod.ts";
import { seededRandom } from "../../../actors/runtime/random.ts";
import { barAt, loadBars } from "../../../storage/bars/mod.ts";
import type { OrderReport } from "../../../actors/exchange/venue.ts";

const GOOG = "/work/shared/data/backtesting_py/GOOG.csv";
const SIM = {
  ...DEFAULT_SIM_CONFIG,
  venue: "paper",
  initialCash: 1_000_000,
  costs: { ...DEFAULT_SIM_CONFIG.costs, commission: { kind: "percent", rate: 0.001 } as const },
};

async function googBars(): Promise<Bar[]> {
  const { series } = await loadBars(GOOG, { symbol: "GOOG" });
  return Array.from({ length: series.length }, (_, i) => barAt(series, i));
}

function order(cid: string, fields: Partial<OrderRequest> = {}): OrderRequest {
  return {
    clientOrderId: cid,
    strategyId: cid.replace(/-\d+$/, ""),
    venue: "paper",
    symbol: "GOOG",
    side: "buy",
    type: "market",
    qty: 1,
    tif: "GTC",
    ts: 0,
    ...fields,
  };
}

async function tempVenue(checkpointEvery: number) {
  const dir = await Deno.makeTempDir({ prefix: "paper-venue-" });
  const path = join(dir, "paper_venue.sqlite");
  return { dir, path, open: () => openPaperVenue({ path, sim: SIM, checkpointEvery }) };
}

Deno.test("paper venue: rows written per request and the state held stay constant as fills grow", async () => {
  const bars = await googBars();
  const CHECKPOINT = 50;
  const { dir, open } = await tempVenue(CHECKPOINT);
  const venue = open();
  // Per bar: one market order (filled at the next open, sides alternating), one bar. Two inputs per bar, so a
  // window of 100 bars holds exactly 4 checkpoints wherever it starts on an even input count.
  const step = (i: number) => {
    venue.submit(order(`s-${i}`, { side: i % 2 === 0 ? "buy" : "sell" }), bars[i].ts);
    venue.bar(bars[i + 1]);
  };
  const window = (from: number) => {
    const before = venue.stats().written;
    for (let i = from; i < from + 100; i++) step(i);
    const after = venue.stats().written;
    return { rows: after.rows - before.rows, bytes: after.bytes - before.bytes };
  };
  venue.bar(bars[0]);
  for (let i = 0; i < 100; i++) step(i);
  const early = window(100);
  const earlyStats = venue.stats();
  for (let i = 200; i < 2_000; i++) step(i);
  const late = window(2_000);
  const lateStats = venue.stats();

  for (const cid of ["s-0", "s-1000", "s-2099"]) assert.equal(venue.report(cid)?.status, "filled", cid);
  // 100 bars: 200 inputs + 200 order upserts (accepted, filled) + 100 submit log rows + 4 × (checkpoint + 50 pruned).
  assert.equal(early.rows, 200 + 200 + 100 + 4 * (1 + CHECKPOINT));
  assert.equal(late.rows, early.rows, "a request must cost the same rows after 2,000 fills as after 100");
  // Bytes vary a little with the numbers written (longer ids, other prices), never with the history.
  assert.ok(late.bytes < early.bytes * 1.1, `bytes per 100 bars grew from ${early.bytes} to ${late.bytes}`);
  assert.equal(lateStats.openReports, 0);
  assert.equal(lateStats.restingOrders, 0);
  assert.ok(lateStats.inputsSinceCheckpoint < CHECKPOINT);
  // The engine state may gain a few digits (counters, balance), never a record per order or fill.
  assert.ok(
    lateStats.simBytes <= earlyStats.simBytes + 64,
    `engine state grew from ${earlyStats.simBytes} to ${lateStats.simBytes} bytes`,
  );
  venue.close();
  // On disk, only order rows and the submit log keep history; the input log is compacted.
  const db = new DatabaseSync(join(dir, "paper_venue.sqlite"), { readOnly: true });
  const inputs = db.prepare("SELECT COUNT(*) AS n FROM venue_inputs").get() as { n: number };
  db.close();
  assert.ok(Number(inputs.n) < CHECKPOINT, `the input log should be compacted, has ${inputs.n} rows`);
  await Deno.remove(dir, { recursive: true });
});

/** A seeded mix of orders (market, limit, stop, brackets, equity-fraction), cancels and bars. */
function script(bars: readonly Bar[], seed: number) {
  const random = seededRandom(seed);
  const ops: ((v: PaperVenue) => unknown)[] = [];
  const cids: string[] = [];
  for (let i = 1; i < 600; i++) {
    const b = bars[i - 1];
    const n = Math.floor(random() * 3);
    for (let k = 0; k < n; k++) {
      const cid = `s${k}-${i}`;
      const side = random() < 0.5 ? "buy" : "sell";
      const away = side === "buy" ? -1 : 1;
      const kind = random();
      const fields: Partial<OrderRequest> = kind < 0.3
        ? { side, qty: 1 + Math.floor(random() * 5) }
        : kind < 0.55
        ? { side, type: "limit", limitPrice: Math.round(b.close * (1 + away * 0.02 * random()) * 100) / 100 }
        : kind < 0.7
        ? { side, type: "stop", stopPrice: Math.round(b.close * (1 - away * 0.03 * random()) * 100) / 100 }
        : kind < 0.85
        ? {
          side: "buy",
          bracket: { stopLoss: Math.round(b.close * 0.95 * 100) / 100, takeProfit: Math.round(b.close * 1.05) },
        }
        : { side, qty: 0, sizing: { mode: "equity_fraction", fraction: 0.05 } };
      cids.push(cid);
      ops.push((v) => v.submit(order(cid, fields), b.ts));
    }
    if (random() < 0.2 && cids.length > 0) {
      const cid = cids[Math.floor(random() * cids.length)];
      ops.push((v) => v.cancel(cid, b.ts));
    }
    if (random() < 0.1 && cids.length > 0) {
      const cid = cids[Math.floor(random() * cids.length)];
      ops.push((v) => v.submit(order(cid), b.ts)); // a resend: deduped
    }
    ops.push((v) => v.bar(bars[i]));
  }
  return { ops, cids: [...cids, ...cids.flatMap((c) => [`${c}-sl`, `${c}-tp`])] };
}

function book(v: PaperVenue, cids: readonly string[]) {
  return {
    reports: cids.map((cid) => v.report(cid)),
    open: v.openOrders().sort((a, b) => a.clientOrderId.localeCompare(b.clientOrderId)),
    account: v.account(),
    submits: v.submits(),
  };
}

Deno.test("paper venue: reopened at random points, it ends with the book of an uninterrupted venue", async () => {
  const bars = await googBars();
  const { ops, cids } = script(bars, 7);
  const reference = await tempVenue(1_000_000);
  const ref = reference.open();
  const answers = ops.map((op) => op(ref));
  const expected = book(ref, cids);
  ref.close();
  assert.ok(expected.reports.filter((r) => r?.status === "filled").length > 100, "the script should trade");
  assert.ok(expected.reports.some((r) => r?.status === "canceled"), "the script should cancel");
  assert.ok(expected.open.length > 0, "some orders should still rest at the end");

  const random = seededRandom(11);
  const crashed = await tempVenue(37);
  let venue = crashed.open();
  const abandoned: PaperVenue[] = [];
  let reopens = 0;
  for (let i = 0; i < ops.length; i++) {
    assert.deepEqual(ops[i](venue), answers[i], `answer to request ${i} after ${reopens} reopens`);
    if (random() < 0.05) {
      // The old instance is dropped without closing (as a killed process would); the new one reads the file.
      abandoned.push(venue);
      venue = crashed.open();
      reopens++;
    }
  }
  assert.ok(reopens >= 20, `expected many reopens, got ${reopens}`);
  assert.deepEqual(book(venue, cids), expected);
  for (const v of [...abandoned, venue]) v.close();
  await Deno.remove(reference.dir, { recursive: true });
  await Deno.remove(crashed.dir, { recursive: true });
});

Deno.test("paper venue: a file from before the input log (one venue_book row) is migrated", async () => {
  const bars = await googBars();
  const { dir, path, open } = await tempVenue(1_000);
  // The old format: the engine state and every report in one JSON row.
  const sim = createSimState(SIM);
  const reports = new Map<string, OrderReport>();
  const emit = (_to: string, e: OrderEvent) => {
    if (e.type === "OrderAccepted") {
      const r = reports.get(e.clientOrderId)!;
      reports.set(e.clientOrderId, { ...r, venueOrderId: e.venueOrderId, ts: e.ts });
    }
  };
  onBar(sim, bars[0], emit);
  const limit = order("old-1", { type: "limit", limitPrice: 1, qty: 2 });
  reports.set("old-1", newReport(limit, "", bars[0].ts));
  submitOrder(sim, limit, "paper", bars[0].ts, emit);
  const market = order("old-2");
  reports.set("old-2", newReport(market, "", bars[0].ts));
  submitOrder(sim, market, "paper", bars[0].ts, emit);
  const db = new DatabaseSync(path);
  db.exec(`CREATE TABLE venue_book (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL);
    CREATE TABLE venue_submits (n INTEGER PRIMARY KEY AUTOINCREMENT, client_order_id TEXT NOT NULL, ts INTEGER NOT NULL);
    INSERT INTO venue_submits (client_order_id, ts) VALUES ('old-1', 0), ('old-2', 0);`);
  db.prepare("INSERT INTO venue_book (id, data) VALUES (1, ?)").run(encode({ sim, reports }));
  db.close();

  const venue = open();
  assert.deepEqual(venue.openOrders().map((r) => r.clientOrderId).sort(), ["old-1", "old-2"]);
  assert.deepEqual(venue.submits(), { total: 2, distinct: 2 });
  const touched = venue.bar(bars[1]);
  assert.deepEqual(touched.map((r) => [r.clientOrderId, r.status]), [["old-2", "filled"]]);
  assert.equal(venue.report("old-2")?.fills[0].price, bars[1].open);
  venue.close();
  const reopened = open();
  assert.deepEqual(reopened.openOrders().map((r) => r.clientOrderId), ["old-1"]);
  assert.equal(reopened.report("old-2")?.status, "filled");
  reopened.close();
  const check = new DatabaseSync(path, { readOnly: true });
  const legacy = check.prepare("SELECT name FROM sqlite_master WHERE name = 'venue_book'").get();
  check.close();
  assert.equal(legacy, undefined, "the old table should be gone");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("paper venue: a strategy's capital set while running is in the input log, so a reopened venue sizes alike", async () => {
  const bars = await googBars();
  const half = (cid: string, i: number) =>
    order(cid, { qty: 0, sizing: { mode: "equity_fraction", fraction: 0.5 }, ts: bars[i].ts });
  const filled = (r: OrderReport | undefined) => r?.fills.reduce((n, f) => n + f.qty, 0) ?? 0;
  // The same requests into a venue left open, one reopened after every request (replaying its input log), and one
  // reopened with a checkpoint after every input (the capital inside the engine state).
  const run = async (reopen: "never" | "log" | "checkpoint") => {
    const { dir, open } = await tempVenue(reopen === "checkpoint" ? 1 : 1_000);
    let venue = open();
    const again = () => {
      if (reopen === "never") return;
      venue.close();
      venue = open();
    };
    venue.setStrategyCapital("small", 10_000);
    again();
    venue.submit(half("small-1", 0), bars[0].ts);
    venue.submit(half("big-1", 0), bars[0].ts);
    again();
    venue.bar(bars[1]);
    again();
    venue.submit(half("small-2", 1), bars[1].ts);
    again();
    venue.bar(bars[2]);
    const out = ["small-1", "big-1", "small-2"].map((cid) => filled(venue.report(cid)));
    venue.close();
    await Deno.remove(dir, { recursive: true });
    return out;
  };
  const [small1, big1, small2] = await run("never");
  // Sized from its own 10 000, not from the account's 1 000 000.
  assert.ok(small1 > 0 && small1 * bars[1].open <= 5_000, `small-1 filled ${small1}`);
  assert.ok(big1 > 50 * small1, `big-1 filled ${big1}, small-1 ${small1}`);
  assert.ok(small2 > 0);
  assert.deepEqual(await run("log"), [small1, big1, small2]);
  assert.deepEqual(await run("checkpoint"), [small1, big1, small2]);
});
