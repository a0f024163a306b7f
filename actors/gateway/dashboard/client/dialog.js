// The one modal dialog: a confirmation or a small form. `submit(form)` does the work and returns an error text
// to show (the dialog stays open) or nothing (it closes). Resolves true when submitted, false when cancelled.
import { byId } from "./dom.js";

let pending;

export function openDialog({ title, html, ok = "OK", danger = false, submit }) {
  const dialog = byId("dialog");
  const form = byId("dialog-form");
  const error = byId("dialog-error");
  const button = byId("dialog-ok");
  pending?.(false);
  byId("dialog-title").textContent = title;
  byId("dialog-body").innerHTML = html;
  button.textContent = ok;
  button.className = danger ? "danger" : "primary";
  button.disabled = false;
  error.hidden = true;
  return new Promise((resolve) => {
    const finish = (result) => {
      pending = undefined;
      form.onsubmit = null;
      byId("dialog-cancel").onclick = null;
      dialog.onclose = null;
      if (dialog.open) dialog.close();
      resolve(result);
    };
    pending = finish;
    form.onsubmit = async (e) => {
      e.preventDefault();
      button.disabled = true;
      const problem = await submit(form);
      button.disabled = false;
      if (problem) {
        error.textContent = problem;
        error.hidden = false;
        return;
      }
      finish(true);
    };
    byId("dialog-cancel").onclick = () => finish(false);
    dialog.onclose = () => finish(false);
    dialog.showModal();
    form.querySelector("input:not([type=hidden]),select")?.focus();
  });
}
