/**
 * The paper venue's book: the matching engine's state and the reports of the orders still open, in memory; the
 * rest on disk (store.ts). Every request is one transaction that appends its input and upserts the orders it
 * touched, so its cost and the memory held do not grow with the number of orders or fills so far; closed orders
 * leave memory once their final report is written. Restart = last checkpoint + the inputs after it, replayed
 * through the same engine (deterministic), so a process killed at any instant finds the venue as it left it.
 */
import type { Bar, OrderEvent, OrderRequest } from "../../protocol/mod.ts";
import { assertNever } from "../../runtime/mod.ts";
import {
  accountEquity,
  cancelOrder,
  createSimState,
  type Emit,
  modifyOrder,
  onBar,
  setStrategyCapital,
  type SimConfig,
  type SimState,
  submitOrder,
} from "../sim/matching.ts";
import type { ModifyOutcome, ModifyRequest, OrderReport } from "../venue.ts";
import { applyToReport, decode, encode, newReport } from "./mapping.ts";
import { openPaperStore } from "./store.ts";

/** A request that changes the engine, as logged: replaying the log through `applyInput` rebuilds the book. */
export type VenueInput =
  | { readonly kind: "submit"; readonly order: OrderRequest; readonly now: number }
  | { readonly kind: "cancel"; readonly clientOrderId: string; readonly strategyId: string; readonly now: number }
  | { readonly kind: "modify"; readonly request: ModifyRequest; readonly now: number }
  | { readonly kind: "bar"; readonly bar: Bar }
  /** A strategy added while running gets its own capital for sizing (its sub-account). */
  | { readonly kind: "capital"; readonly strategyId: string; readonly capital: number };

const REPLY_TO = "paper";

export function applyInput(sim: SimState, input: VenueInput, emit: Emit): void {
  switch (input.kind) {
    case "submit":
      return submitOrder(sim, input.order, REPLY_TO, input.now, emit);
    case "cancel":
      return cancelOrder(sim, input.clientOrderId, input.strategyId, REPLY_TO, input.now, emit);
    case "modify":
      return modifyOrder(sim, input.request, REPLY_TO, input.now, emit);
    case "bar":
      return onBar(sim, input.bar, emit);
    case "capital":
      return setStrategyCapital(sim, input.strategyId, input.capital);
    default:
      assertNever(input, "paper venue input");
  }
}

export interface PaperVenueOptions {
  readonly path: string;
  /** Engine settings of a new venue; an existing venue keeps the ones it was created with. */
  readonly sim: SimConfig;
  /** Inputs between compacted checkpoints (bounds the replay at restart). Default 1000. */
  readonly checkpointEvery?: number;
}

/** Sizes that must not grow with the number of orders and fills handled (see the O(1) test). */
export interface PaperVenueStats {
  readonly openReports: number;
  readonly restingOrders: number;
  readonly inputsSinceCheckpoint: number;
  /** Bytes of the engine state as a checkpoint would store it. */
  readonly simBytes: number;
  /** Rows changed in the store since it opened, and bytes of JSON written. */
  readonly written: { readonly rows: number; readonly bytes: number };
}

/** The venue side: plain synchronous calls, each one durable before it returns. */
export interface PaperVenue {
  /** Dedupes on client order id: a known order is answered with its report, and not placed again. */
  submit(order: OrderRequest, now: number): OrderReport;
  cancel(clientOrderId: string, now: number): OrderReport | undefined;
  /** Modifies in place (the engine's rules, matching.ts); durable like every request. */
  modify(request: ModifyRequest, now: number): ModifyOutcome;
  /** Matches one bar; a bar at or before the last one seen for its symbol was handled already (idempotent). */
  bar(bar: Bar): OrderReport[];
  report(clientOrderId: string): OrderReport | undefined;
  openOrders(): OrderReport[];
  account(): { readonly balance: number; readonly equity: number };
  /** A strategy added while running gets its sub-account (sizing from its own capital); durable, in the input log. */
  setStrategyCapital(strategyId: string, capital: number): void;
  /** Every submit the venue received, and how many distinct client order ids among them. */
  submits(): { total: number; distinct: number };
  stats(): PaperVenueStats;
  close(): void;
}

export function openPaperVenue(options: PaperVenueOptions): PaperVenue {
  const every = options.checkpointEvery ?? 1_000;
  if (!(Number.isInteger(every) && every > 0)) throw new RangeError(`checkpointEvery must be a positive integer`);
  const store = openPaperStore(options.path);
  const stored = store.load();
  let sim: SimState;
  let checkpointN: number;
  if (stored.checkpoint) {
    sim = decode<SimState>(stored.checkpoint.sim);
    checkpointN = stored.checkpoint.n;
  } else {
    if (stored.inputs.length > 0) throw new Error(`paper venue ${options.path}: logged inputs but no checkpoint`);
    // The first checkpoint fixes the engine settings: a replay never depends on today's config.
    sim = createSimState(options.sim);
    checkpointN = 0;
    store.write({ reports: [], checkpoint: { n: 0, sim: encode(sim) } });
  }
  let n = checkpointN;
  for (const row of stored.inputs) {
    if (row.n !== n + 1) throw new Error(`paper venue ${options.path}: input ${n + 1} is missing (found ${row.n})`);
    applyInput(sim, decode<VenueInput>(row.input), () => {});
    n = row.n;
  }
  const open = new Map(stored.open.map((r) => [r.clientOrderId, r]));
  let broken: unknown;

  /** Folds engine events into the reports of the orders they touch. */
  /** The outcome of the modify being applied, by target id. */
  const outcomes = new Map<string, OrderEvent>();
  const emitter = (touched: Map<string, OrderReport>): Emit => (_to: string, event: OrderEvent) => {
    if (event.type === "OrderSubmitted") return;
    if (event.type === "OrderModified" || event.type === "OrderModifyRejected") {
      outcomes.set(event.clientOrderId, event);
    }
    const cid = event.clientOrderId;
    let report = touched.get(cid) ?? open.get(cid);
    if (!report) {
      // An order the engine created itself (a bracket leg): take its request from the book.
      const resting = sim.orders.find((r) => r.order.clientOrderId === cid);
      if (!resting) return;
      report = newReport(resting.order, "", event.type === "OrderAccepted" ? event.ts : 0);
    }
    touched.set(cid, applyToReport(report, event));
  };

  /** Applies `input` (if any), then writes it with the touched reports in one transaction. */
  function transact(
    input: VenueInput | undefined,
    touched: Map<string, OrderReport>,
    submit?: { clientOrderId: string; ts: number },
  ): Map<string, OrderReport> {
    if (broken !== undefined) throw new Error("paper venue: a write failed; reopen it", { cause: broken });
    if (input) applyInput(sim, input, emitter(touched));
    const next = input ? n + 1 : n;
    const checkpoint = input !== undefined && next - checkpointN >= every;
    try {
      store.write({
        ...(input ? { input: { n: next, input: encode(input) } } : {}),
        reports: [...touched.values()],
        ...(submit ? { submit } : {}),
        ...(checkpoint ? { checkpoint: { n: next, sim: encode(sim) } } : {}),
      });
    } catch (err) {
      // Memory is ahead of the disk now: refuse further requests; a reopened venue reads the disk's truth.
      broken = err;
      throw err;
    }
    n = next;
    if (checkpoint) checkpointN = next;
    for (const [cid, r] of touched) {
      if (r.status === "open") open.set(cid, r);
      else open.delete(cid);
    }
    return touched;
  }

  const report = (cid: string) => open.get(cid) ?? store.report(cid);

  return {
    submit(order, now) {
      const cid = order.clientOrderId;
      const submit = { clientOrderId: cid, ts: now };
      const known = report(cid);
      if (known) {
        transact(undefined, new Map(), submit);
        return known;
      }
      const touched = new Map([[cid, newReport(order, "", now)]]);
      return transact({ kind: "submit", order, now }, touched, submit).get(cid)!;
    },
    cancel(cid, now) {
      const known = report(cid);
      if (!known || known.status !== "open") return known;
      const input: VenueInput = { kind: "cancel", clientOrderId: cid, strategyId: known.strategyId, now };
      return transact(input, new Map()).get(cid) ?? known;
    },
    modify(request, now) {
      outcomes.clear();
      transact({ kind: "modify", request, now }, new Map());
      const outcome = outcomes.get(request.clientOrderId);
      outcomes.clear();
      const known = report(request.clientOrderId);
      const withReport = known ? { report: known } : {};
      if (outcome?.type === "OrderModified") return { kind: "modified", changes: outcome.changes, ...withReport };
      const reason = outcome?.type === "OrderModifyRejected" ? outcome.reason : "modify: no answer from the engine";
      return { kind: "refused", reason, ...withReport };
    },
    bar(bar) {
      const last = sim.lastBar.get(bar.symbol);
      if (last && last.ts >= bar.ts) return [];
      return [...transact({ kind: "bar", bar }, new Map()).values()];
    },
    report,
    openOrders: () => [...open.values()],
    account: () => ({ balance: sim.account.balance, equity: accountEquity(sim) }),
    setStrategyCapital(strategyId, capital) {
      transact({ kind: "capital", strategyId, capital }, new Map());
    },
    submits: () => store.submits(),
    stats: () => ({
      openReports: open.size,
      restingOrders: sim.orders.length,
      inputsSinceCheckpoint: n - checkpointN,
      simBytes: encode(sim).length,
      written: store.written(),
    }),
    close: () => store.close(),
  };
}
