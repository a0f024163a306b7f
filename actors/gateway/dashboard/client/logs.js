// The live log tail: /ws/logs (snapshot oldest → newest, then each record), filtered here by minimum level and
// strategy, bounded. An endpoint that keeps no log shows "log stream unavailable" instead.
import { subscribe } from "./channel.js";
import { byId, escapeHtml, utc } from "./dom.js";

const KEEP = 1000;
const LEVELS = { debug: 0, info: 1, warn: 2, error: 3 };

export function setupLogs() {
  const pane = byId("log");
  const level = byId("log-level");
  const strategy = byId("log-strategy");
  const follow = byId("log-follow");
  let records = [];
  const line = (r) =>
    // The full date: a replay's records carry the data's time, not today's.
    `<span class="${escapeHtml(r.level)}">${utc(r.ts)} ${escapeHtml(r.level.padEnd(5))} ${escapeHtml(r.actor ?? "")}${
      r.strategy ? ` [${escapeHtml(r.strategy)}]` : ""
    } ${escapeHtml(r.msg)}${r.fields ? ` ${escapeHtml(JSON.stringify(r.fields))}` : ""}</span>`;
  const shown = (r) =>
    (LEVELS[r.level] ?? 0) >= LEVELS[level.value] && (!strategy.value || r.strategy === strategy.value.trim());
  const render = () => {
    pane.innerHTML = records.filter(shown).map(line).join("\n") || `<span class="dim">no log records</span>`;
    if (follow.checked) pane.scrollTop = pane.scrollHeight;
  };
  level.onchange = render;
  strategy.oninput = render;

  // Only a daemon keeps a log (the page says whether this one does): otherwise no socket, and a clear word.
  const { features } = JSON.parse(byId("meta").textContent);
  if (!features?.logs) {
    pane.innerHTML = `<span class="dim">log stream unavailable (this endpoint keeps no log)</span>`;
    return undefined;
  }
  return subscribe("/ws/logs", {
    snapshot: (msg) => {
      records = (msg.items ?? []).slice(-KEEP);
      render();
    },
    event: (msg) => {
      if (msg.type !== "log" || !msg.record) return;
      records.push(msg.record);
      if (records.length > KEEP) records = records.slice(-KEEP);
      if (!shown(msg.record)) return;
      // Append rather than redraw: a busy log costs one line per record.
      pane.insertAdjacentHTML("beforeend", (pane.childElementCount ? "\n" : "") + line(msg.record));
      while (pane.childElementCount > KEEP) pane.firstChild.remove();
      if (follow.checked) pane.scrollTop = pane.scrollHeight;
    },
  });
}
