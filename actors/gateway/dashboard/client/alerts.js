// Alerts from /ws/alerts (snapshot: the 50 most recent, newest first; then each as it is journaled), newest on top.
import { subscribe } from "./channel.js";
import { byId, escapeHtml, fillRows, utc } from "./dom.js";

const KEEP = 100;

export function setupAlerts() {
  let alerts = [];
  const render = () =>
    fillRows(
      byId("alerts"),
      alerts.map((a) =>
        `<tr><td>${utc(a.ts)}</td><td class="${a.level === "error" ? "down" : "warn"}">${escapeHtml(a.level)}</td>` +
        `<td class="msg">${escapeHtml(a.message)}</td></tr>`
      ),
      3,
    );
  return subscribe("/ws/alerts", {
    snapshot: (msg) => {
      alerts = (msg.alerts ?? []).slice(0, KEEP);
      render();
    },
    event: (msg) => {
      if (msg.type !== "alert" || alerts.some((a) => a.seq === msg.seq)) return;
      alerts = [msg, ...alerts].slice(0, KEEP);
      render();
    },
  });
}
