// Orders from /ws/orders (snapshot: open ones and recent others; then each order as it changes): the open-orders
// table with a cancel button, and a store the price chart (open orders) and the fills table (new fills) listen to.
import { act } from "./api.js";
import { subscribe } from "./channel.js";
import { byId, escapeHtml, fillRows, num } from "./dom.js";
import { openDialog } from "./dialog.js";

const FINAL = new Set(["filled", "canceled", "rejected", "denied", "expired"]);
const orders = new Map();
const orderListeners = new Set();
const fillListeners = new Set();
/** fn(openOrders) whenever the open orders change. */
export const onOpenOrders = (fn) => orderListeners.add(fn);
/** fn(order) when an order gets a fill. */
export const onFill = (fn) => fillListeners.add(fn);
export const openOrders = () => [...orders.values()].filter((o) => !FINAL.has(o.status));

function render() {
  const open = openOrders().sort((a, b) => b.seq - a.seq);
  fillRows(
    byId("orders"),
    open.map((o) =>
      `<tr><td class="text" title="${escapeHtml(o.strategyId)}">${escapeHtml(o.clientOrderId)}</td><td>${
        escapeHtml(o.symbol)
      }</td><td class="${o.side === "buy" ? "up" : "down"}">${escapeHtml(o.side ?? "")}</td><td>${
        escapeHtml(o.type ?? "")
      }</td><td>${num(o.qty)}</td><td>${num(o.limitPrice ?? o.stopPrice)}</td><td>${escapeHtml(o.status)}</td>` +
      `<td><button type="button" class="small" data-cancel="${escapeHtml(o.clientOrderId)}">Cancel</button></td></tr>`
    ),
    8,
  );
  for (const fn of orderListeners) fn(open);
}

function cancel(cid) {
  return openDialog({
    title: `Cancel order ${cid}?`,
    ok: "Cancel the order",
    danger: true,
    html: `<p>Asks the venue to cancel <b>${escapeHtml(cid)}</b> (through the risk guardian). A fill that is already
      on its way still counts.</p><label>Reason <input name="reason" required maxlength="500"
      value="cancelled from the web dashboard"></label>`,
    submit: async (form) => {
      const done = await act("POST", `/api/v1/orders/${encodeURIComponent(cid)}/cancel`, {
        reason: form.elements.reason.value,
      }, `Cancel of ${cid} sent`);
      return done ? undefined : "The cancel was refused (see the message).";
    },
  });
}

export function setupOrders() {
  byId("orders").onclick = (e) => {
    const cid = e.target.closest("[data-cancel]")?.dataset.cancel;
    if (cid) void cancel(cid);
  };
  return subscribe("/ws/orders", {
    snapshot: (msg) => {
      orders.clear();
      for (const o of [...(msg.recent ?? []), ...(msg.open ?? [])]) orders.set(o.clientOrderId, o);
      render();
    },
    event: (msg) => {
      if (msg.type !== "order") return;
      const before = orders.get(msg.order.clientOrderId);
      orders.set(msg.order.clientOrderId, msg.order);
      // Bounded: finished orders beyond the newest 200 are forgotten.
      if (orders.size > 500) {
        for (const [cid, o] of orders) {
          if (orders.size <= 200) break;
          if (FINAL.has(o.status)) orders.delete(cid);
        }
      }
      if ((msg.order.filledQty ?? 0) > (before?.filledQty ?? 0)) { for (const fn of fillListeners) fn(msg.order); }
      render();
    },
  });
}
