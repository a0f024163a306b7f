// DOM and formatting helpers shared by every panel.

export const byId = (id) => document.getElementById(id);

export const escapeHtml = (s) =>
  String(s ?? "").replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c],
  );

export const money = (n) =>
  typeof n !== "number" || !isFinite(n)
    ? "--"
    : n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const num = (n, digits = 4) =>
  typeof n !== "number" || !isFinite(n) ? "--" : n.toLocaleString("en-US", { maximumFractionDigits: digits });

export const pct = (n) => typeof n !== "number" || !isFinite(n) ? "--" : `${(n * 100).toFixed(2)} %`;

export const signClass = (n) => n > 0 ? "up" : n < 0 ? "down" : "";

export const signed = (n) => `<span class="${signClass(n)}">${n > 0 ? "+" : ""}${money(n)}</span>`;

export const utc = (ms) =>
  typeof ms === "number" && isFinite(ms) ? new Date(ms).toISOString().slice(0, 19).replace("T", " ") : "--";

/** Replaces a tbody's rows, or shows one dim "none" row. */
export function fillRows(tbody, rows, columns) {
  const html = rows.length ? rows.join("") : `<tr><td class="dim" colspan="${columns}">none</td></tr>`;
  // Unchanged rows are left alone: a button under the pointer is not replaced between press and release.
  if (rendered.get(tbody) === html) return;
  rendered.set(tbody, html);
  tbody.innerHTML = html;
}

const rendered = new WeakMap();

let toastTimer;
/** A short message in the corner: what an action did, or why it failed. */
export function toast(text, kind = "info") {
  const el = byId("toast");
  el.textContent = text;
  el.className = `toast ${kind}`;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => (el.hidden = true), kind === "error" ? 8000 : 4000);
}
