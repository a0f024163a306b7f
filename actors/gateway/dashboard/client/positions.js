// Positions from /ws/positions (snapshot, then the account's positions after fills and marks).
import { subscribe } from "./channel.js";
import { byId, escapeHtml, fillRows, money, num, signed } from "./dom.js";

const listeners = new Set();
/** fn(symbols) with the symbols that have a position. */
export const onPositionSymbols = (fn) => listeners.add(fn);

function show(doc) {
  const rows = doc.total ?? [];
  fillRows(
    byId("positions"),
    rows.map((p) =>
      `<tr><td>${escapeHtml(p.symbol)}</td><td>${num(p.qty)}</td><td>${money(p.avgPrice)}</td><td>${
        money(p.lastPrice)
      }</td><td>${signed(p.unrealized)}</td><td>${signed(p.realized)}</td></tr>`
    ),
    6,
  );
  for (const fn of listeners) fn(rows.map((p) => p.symbol));
}

export function setupPositions() {
  return subscribe("/ws/positions", { snapshot: show, event: (msg) => msg.type === "positions" && show(msg) });
}
