// Backtests run by the daemon's pool: a form with the options of `deno task backtest` (strategy, params, data,
// costs, fills), the job list with progress (read every 2 s while a job is queued or running, else every 15 s), and
// for a finished job its full HTML report (the file the CLI writes, charts included) and data files.
import { act, call } from "./api.js";
import { byId, escapeHtml, fillRows, pct, utc } from "./dom.js";
import { paramFields, readParams } from "./params.js";
import { onAvailable } from "./strategies.js";

const NUMBERS = [
  "cash",
  "commission",
  "commissionFixed",
  "commissionPerUnit",
  "slippageBps",
  "spread",
  "impact",
  "volumeShare",
  "leverage",
];

let available = [];
let timer;

const href = (link) => escapeHtml(String(link).replace(/^\//, ""));

async function loadJobs() {
  clearTimeout(timer);
  const r = await call("GET", "/api/v1/backtest");
  if (r.status === 503 || r.status === 403 || r.status === 404) {
    fillRows(
      byId("jobs"),
      [`<tr><td class="dim" colspan="6">${escapeHtml(r.body.error ?? "unavailable")}</td></tr>`],
      6,
    );
    timer = setTimeout(loadJobs, 15_000);
    return;
  }
  const jobs = r.ok ? r.body.jobs ?? [] : [];
  fillRows(
    byId("jobs"),
    jobs.map((j) => {
      const state = j.status === "done" ? "up" : j.status === "failed" ? "down" : "warn";
      const progress = j.progress?.of ? `${pct(j.progress.fraction)} (${j.progress.bars}/${j.progress.of})` : "--";
      const links = j.status === "done"
        ? `<a href="${href(j.links["report.html"])}" target="_blank" rel="noopener" data-report="${
          escapeHtml(j.id)
        }">report</a> <a href="${href(j.links["trades.csv"])}" download>trades</a>`
        : j.error
        ? `<span class="down" title="${escapeHtml(j.error)}">${escapeHtml(String(j.error).slice(0, 60))}</span>`
        : "";
      const busy = j.status === "queued" || j.status === "running";
      return `<tr><td class="text" title="${escapeHtml(j.id)}">${escapeHtml(j.id.slice(0, 8))} ${
        utc(j.createdAt).slice(11)
      }</td><td class="text">${escapeHtml(j.options?.strategy ?? "")}</td><td class="${state}">${
        escapeHtml(j.status)
      }</td><td>${progress}</td><td class="text">${links}</td><td><button type="button" class="small" data-job="${
        escapeHtml(j.id)
      }">${busy ? "Cancel" : "Delete"}</button></td></tr>`;
    }),
    6,
  );
  const busy = jobs.some((j) => j.status === "queued" || j.status === "running");
  timer = setTimeout(loadJobs, busy ? 2_000 : 15_000);
}

function options(form) {
  const f = form.elements;
  const strategy = f.strategy.value;
  const body = {
    strategy,
    data: f.data.value.split(",").map((x) => x.trim()).filter(Boolean),
    params: readParams(form, available.find((a) => a.name === strategy)?.params),
    reason: f.reason.value,
  };
  for (const name of NUMBERS) if (f[name].value !== "") body[name] = Number(f[name].value);
  if (f.timeframe.value) body.timeframe = f.timeframe.value;
  if (f.fill.value) body.fill = f.fill.value;
  if (f.noShort.checked) body.noShort = true;
  if (f.closeAtEnd.checked) body.closeAtEnd = true;
  return body;
}

export function setupBacktests() {
  const form = byId("bt-form");
  const kind = byId("bt-kind");
  const showParams =
    () => (byId("bt-params").innerHTML = `<legend>Parameters</legend>${
      paramFields(available.find((a) => a.name === kind.value)?.params)
    }`);
  onAvailable((list) => {
    available = list.filter((a) => !a.error);
    kind.innerHTML = available.map((a) => `<option value="${escapeHtml(a.name)}">${escapeHtml(a.name)}</option>`)
      .join("");
    showParams();
  });
  kind.onchange = showParams;
  form.onsubmit = async (e) => {
    e.preventDefault();
    const job = await act("POST", "/api/v1/backtest", options(form), "Backtest queued");
    if (job) await loadJobs();
  };
  byId("jobs").onclick = async (e) => {
    const id = e.target.closest("[data-job]")?.dataset.job;
    if (!id) return;
    await act("DELETE", `/api/v1/backtest/${encodeURIComponent(id)}`, { reason: "from the web dashboard" }, "Done");
    await loadJobs();
  };
  return loadJobs();
}
