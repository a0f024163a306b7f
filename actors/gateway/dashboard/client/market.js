// The price chart: one symbol at a time (tabs for every symbol the venue has bars of), candles from
// /ws/market/{symbol} built up in place, with that symbol's fills and open orders drawn over them.
import { subscribe } from "./channel.js";
import { byId, escapeHtml } from "./dom.js";
import { candleChart } from "./chart.js";
import { onOpenOrders, openOrders } from "./orders.js";
import { onTrades } from "./fills.js";
import { onStatus } from "./status.js";
import { onPositionSymbols } from "./positions.js";

export function setupMarket() {
  const chart = candleChart(byId("chart-price"));
  const tabs = byId("symbols");
  const symbols = new Set();
  let current;
  let channel;
  let trades = [];

  const drawOrders = (open) =>
    chart.orders(
      open.filter((o) => o.symbol === current && (o.limitPrice ?? o.stopPrice) != null)
        .map((o) => ({ side: o.side, qty: o.qty, price: o.limitPrice ?? o.stopPrice })),
    );
  const drawFills = () => chart.fills(trades.filter((t) => t.symbol === current));

  const select = (symbol) => {
    if (symbol === current) return;
    current = symbol;
    channel?.close();
    chart.clear();
    drawFills();
    drawOrders(openOrders());
    renderTabs();
    channel = subscribe(`/ws/market/${encodeURIComponent(symbol)}`, {
      snapshot: (msg) => {
        // A reconnect to a daemon whose feed is behind the chart (a restarted replay): start over from its bar.
        if (msg.bar && msg.bar.ts < chart.lastTs) chart.clear();
        if (msg.bar) chart.bar(msg.bar);
      },
      event: (msg) => msg.type === "bar" && chart.bar(msg.bar),
    });
  };
  const renderTabs = () => {
    tabs.innerHTML =
      [...symbols].sort().map((s) =>
        `<button type="button" class="small" role="tab" data-symbol="${escapeHtml(s)}" aria-selected="${
          s === current
        }">${escapeHtml(s)}</button>`
      ).join("") || `<span class="dim small">no market data yet</span>`;
  };
  const add = (list) => {
    const before = symbols.size;
    for (const s of list) if (typeof s === "string" && s) symbols.add(s);
    if (symbols.size === before) return;
    renderTabs();
    if (current === undefined) select([...symbols].sort()[0]);
  };
  tabs.onclick = (e) => {
    const symbol = e.target.closest("[data-symbol]")?.dataset.symbol;
    if (symbol) select(symbol);
  };
  onStatus((doc) => add(Object.keys(doc.adapter?.bars ?? {})));
  onPositionSymbols(add);
  onOpenOrders(drawOrders);
  onTrades((items) => {
    trades = items;
    drawFills();
  });
  renderTabs();
  return {
    get points() {
      return chart.points;
    },
  };
}
