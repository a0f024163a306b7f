// Recent fills (GET /api/v1/trades), read again shortly after an order gets a fill.
import { call } from "./api.js";
import { byId, escapeHtml, fillRows, money, num, utc } from "./dom.js";
import { onFill } from "./orders.js";

const listeners = new Set();
/** fn(trades) with the newest fills, newest first, after each read. */
export const onTrades = (fn) => listeners.add(fn);

export function setupFills() {
  let timer;
  const load = async () => {
    timer = undefined;
    const r = await call("GET", "/api/v1/trades?limit=200");
    if (!r.ok) return;
    const items = r.body.items ?? [];
    fillRows(
      byId("fills"),
      items.slice(0, 50).map((t) =>
        `<tr><td>${utc(t.ts)}</td><td class="text">${escapeHtml(t.strategyId)}</td><td>${escapeHtml(t.symbol)}</td>` +
        `<td class="${t.side === "buy" ? "up" : "down"}">${escapeHtml(t.side)}</td><td>${num(t.qty)}</td>` +
        `<td>${money(t.price)}</td><td>${money(t.commission)}</td></tr>`
      ),
      7,
    );
    for (const fn of listeners) fn(items);
  };
  // A burst of fills (a fast replay) costs one read per half second.
  onFill(() => (timer ??= setTimeout(load, 500)));
  return load();
}
