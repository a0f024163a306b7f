/**
 * POST /api/v1/orders/{clientOrderId}/cancel: an open order (as the journal tells it) gets a CancelOrder to the risk
 * guardian, with the owning strategy supervisor as replyTo, after the call is journaled; an unknown order is 404, a
 * finished one 409, and nothing is sent for either; reading tokens and anonymous callers cannot cancel.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { OrderRequest } from "../../../actors/protocol/mod.ts";
import { openDatabase } from "../../../storage/db.ts";
import { createSqlJournal } from "../../../storage/journal/sql_journal.ts";
import { ADMIN, bearer, JSON_TYPE, READ, startHarness, stub } from "./harness.ts";

const order = (cid: string): OrderRequest => ({
  clientOrderId: cid,
  strategyId: "s",
  venue: "paper",
  symbol: "X",
  side: "buy",
  type: "limit",
  qty: 2,
  limitPrice: 9.5,
  tif: "GTC",
  ts: 1_000,
});

const submitted = (cid: string, seq: number) => ({
  eventId: `c${seq}`,
  stream: "venue:paper",
  type: "Command",
  ts: 1_000,
  payload: {
    intent: { kind: "submit", command: { type: "SubmitOrder", order: order(cid), replyTo: "g/strategies/s" } },
  },
});

const accepted = (cid: string, seq: number) => ({
  eventId: `a${seq}`,
  stream: "venue:paper",
  type: "OrderAccepted",
  ts: 1_001,
  payload: { type: "OrderAccepted", clientOrderId: cid, strategyId: "s", venueOrderId: `v-${cid}`, ts: 1_001 },
});

Deno.test("orders API: cancel an open order through the risk guardian; 404 unknown, 409 finished, admin only", async () => {
  const dir = await Deno.makeTempDir({ prefix: "cancel-order-" });
  const journal = createSqlJournal(await openDatabase({ url: `sqlite:${join(dir, "j.sqlite")}` }), {
    closeDatabase: true,
  });
  await journal.append([
    submitted("s-1", 1),
    accepted("s-1", 1),
    submitted("s-2", 2),
    accepted("s-2", 2),
    {
      eventId: "x2",
      stream: "venue:paper",
      type: "OrderCanceled",
      ts: 1_002,
      payload: { type: "OrderCanceled", clientOrderId: "s-2", strategyId: "s", reason: "by strategy", ts: 1_002 },
    },
  ]);
  const h = await startHarness({ risk: stub("risk"), control: { journal, tokens: { admin: ADMIN, read: READ } } });
  const cancel = (cid: string, token: string | null, body: unknown = { reason: "stale quote" }) =>
    fetch(`${h.url}/api/v1/orders/${cid}/cancel`, {
      method: "POST",
      headers: { ...JSON_TYPE, ...(token ? bearer(token) : {}) },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: await r.json() }));
  const cancels = async () => (await h.received("g/risk")).messages.filter((m) => m.type === "CancelOrder");
  try {
    assert.equal((await cancel("s-1", null)).status, 401);
    assert.equal((await cancel("s-1", READ)).status, 403);
    assert.equal((await cancel("s-1", ADMIN, {})).status, 400, "a reason is required");
    assert.equal((await cancel("s-1", ADMIN, { reason: "x", flatten: true })).status, 400, "strict body");
    assert.equal((await cancel("bad%20id", ADMIN)).status, 400);
    const unknown = await cancel("s-9", ADMIN);
    assert.equal(unknown.status, 404);
    assert.match(unknown.body.error, /no order s-9/);
    const finished = await cancel("s-2", ADMIN);
    assert.equal(finished.status, 409);
    assert.match(finished.body.error, /already canceled/);
    assert.deepEqual(await cancels(), [], "nothing sent for refused calls");

    const done = await cancel("s-1", ADMIN);
    assert.equal(done.status, 202, JSON.stringify(done.body));
    assert.deepEqual(done.body, { ok: true, clientOrderId: "s-1", strategyId: "s", sent: true });
    const sent = await cancels();
    assert.equal(sent.length, 1);
    assert.deepEqual(
      { clientOrderId: sent[0].clientOrderId, strategyId: sent[0].strategyId, replyTo: sent[0].replyTo },
      { clientOrderId: "s-1", strategyId: "s", replyTo: "g/strategies/s" },
    );
    const audit = (await h.journaled()).filter((e) => (e.payload as { action?: string }).action === "order:cancel");
    assert.equal(audit.length, 1, "the call is journaled once");
    assert.equal((audit[0].payload as { why?: string }).why, "stale quote");
  } finally {
    await h.close();
    await journal.close();
    await Deno.remove(dir, { recursive: true });
  }
});
