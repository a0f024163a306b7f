// Strategies: the running set (GET /api/v1/strategies, read every 5 s and after each action) with live equity from
// the status push; start, stop, edit params (the schema's ranges shown), delete, and add from the available list.
import { act, call } from "./api.js";
import { byId, escapeHtml, fillRows, money, signed, toast } from "./dom.js";
import { openDialog } from "./dialog.js";
import { paramFields, readParams } from "./params.js";
import { onStatus } from "./status.js";

let available = [];
let running = [];
let books = {};
const schemaOf = (name) => available.find((a) => a.name === name)?.params ?? {};

const listeners = new Set();
/** fn(available) once the available strategies are known (the backtest form uses them too). */
export const onAvailable = (fn) => listeners.add(fn);
/** fn(running) after each read of the running set. */
const runningListeners = new Set();
export const onStrategies = (fn) => runningListeners.add(fn);

function render() {
  fillRows(
    byId("strategies"),
    running.map((s) => {
      const book = books[s.id] ?? s;
      const pnl = typeof book.equity === "number" && typeof s.capital === "number" ? book.equity - s.capital : null;
      const state = s.status === "ACTIVE" ? "up" : s.status === "QUARANTINED" ? "down" : "warn";
      const params = Object.entries(s.params ?? {}).map(([k, v]) => `${k}=${v}`).join(" ");
      const id = escapeHtml(s.id);
      return `<tr data-id="${id}"><td class="text">${id}</td><td class="text">${escapeHtml(s.strategy ?? "")}</td>` +
        `<td class="${state}" title="${escapeHtml(s.reason ?? "")}">${escapeHtml(s.status)}</td>` +
        `<td>${money(book.equity)}</td><td>${pnl === null ? "--" : signed(pnl)}</td>` +
        `<td class="params">${escapeHtml(params)}</td><td class="row">` +
        (s.status === "ACTIVE"
          ? `<button type="button" class="small" data-act="stop">Stop</button>`
          : `<button type="button" class="small" data-act="start">Start</button>`) +
        `<button type="button" class="small" data-act="edit">Edit</button>` +
        `<button type="button" class="small" data-act="delete">Delete</button></td></tr>`;
    }),
    7,
  );
}

export async function loadStrategies() {
  const r = await call("GET", "/api/v1/strategies");
  if (!r.ok) return;
  running = r.body.strategies ?? [];
  render();
  for (const fn of runningListeners) fn(running);
}

const reasonField = (value) =>
  `<label>Reason <input name="reason" required maxlength="500" value="${escapeHtml(value)}"></label>`;

function stopOrDelete(s, verb) {
  const remove = verb === "delete";
  return openDialog({
    title: `${remove ? "Delete" : "Stop"} strategy ${s.id}?`,
    ok: remove ? "Delete" : "Stop",
    danger: true,
    html: `<p>This will:</p><ul><li>stop its trading (no new orders from it)</li>` +
      `<li>cancel its open orders</li><li>close its positions if "flatten" is ticked (at market), or keep them</li>` +
      (remove ? `<li>remove it from the running set</li>` : `<li>keep it in the set: Start lets it trade again</li>`) +
      `</ul><label class="check"><input type="checkbox" name="flatten"> flatten its positions</label>` +
      reasonField(`${remove ? "deleted" : "stopped"} from the web dashboard`),
    submit: async (form) => {
      const body = { reason: form.elements.reason.value, flatten: form.elements.flatten.checked };
      const path = `/api/v1/strategies/${encodeURIComponent(s.id)}${remove ? "" : "/stop"}`;
      const done = await act(remove ? "DELETE" : "POST", path, body, `${s.id} ${remove ? "deleted" : "stopped"}`);
      await loadStrategies();
      return done ? undefined : "Refused (see the message).";
    },
  });
}

function edit(s) {
  const schema = schemaOf(s.strategy);
  return openDialog({
    title: `Parameters of ${s.id}`,
    ok: "Apply",
    html: `<p class="dim small">${escapeHtml(s.strategy)}: new values replace the old ones; the strategy restarts ` +
      `from its state with them.</p><div class="params">${paramFields(schema, s.params)}</div>` +
      reasonField("params changed from the web dashboard"),
    submit: async (form) => {
      const r = await call("PUT", `/api/v1/strategies/${encodeURIComponent(s.id)}`, {
        params: readParams(form, schema),
        reason: form.elements.reason.value,
      });
      if (!r.ok) return `Refused: ${r.body.error ?? r.status}`;
      toast(`${s.id}: parameters applied`);
      await loadStrategies();
    },
  });
}

async function onAction(e) {
  const button = e.target.closest("[data-act]");
  const id = button?.closest("tr")?.dataset.id;
  const s = running.find((x) => x.id === id);
  if (!s) return;
  switch (button.dataset.act) {
    case "start":
      await act("POST", `/api/v1/strategies/${encodeURIComponent(id)}/start`, {
        reason: "started from the web dashboard",
      }, `${id} started`);
      return loadStrategies();
    case "stop":
    case "delete":
      return stopOrDelete(s, button.dataset.act);
    case "edit":
      return edit(s);
  }
}

function setupAddForm() {
  const form = byId("add-form");
  const kind = byId("add-kind");
  const showParams = () => {
    const a = available.find((x) => x.name === kind.value);
    byId("add-about").textContent = a?.description ?? a?.error ?? "";
    byId("add-params").innerHTML = `<legend>Parameters</legend>${paramFields(a?.params)}`;
  };
  kind.onchange = showParams;
  form.onsubmit = async (e) => {
    e.preventDefault();
    const symbols = form.elements.symbols.value.split(",").map((x) => x.trim()).filter(Boolean);
    const body = {
      id: form.elements.id.value.trim(),
      strategy: kind.value,
      params: readParams(form, schemaOf(kind.value)),
      capital: Number(form.elements.capital.value),
      reason: form.elements.reason.value,
      ...(symbols.length ? { symbols } : {}),
    };
    if (await act("POST", "/api/v1/strategies", body, `${body.id} added`)) {
      form.elements.id.value = "";
      await loadStrategies();
    }
  };
  return showParams;
}

export async function setupStrategies() {
  byId("strategies").onclick = (e) => void onAction(e);
  const showParams = setupAddForm();
  onStatus((doc) => {
    books = doc.portfolio?.strategies ?? {};
    render();
  });
  const r = await call("GET", "/api/v1/strategies/available");
  available = r.ok ? r.body.strategies ?? [] : [];
  byId("add-kind").innerHTML = available.filter((a) => !a.error)
    .map((a) => `<option value="${escapeHtml(a.name)}">${escapeHtml(a.name)} (${a.source})</option>`).join("");
  showParams();
  for (const fn of listeners) fn(available);
  await loadStrategies();
  setInterval(loadStrategies, 5000);
}
