// The user's layout, remembered in localStorage: panel order, collapsed panels, and the theme (dark by default).
// Each panel's title bar gets ↑ ↓ (move) and − / + (collapse); panels can also be dragged by their title.
import { byId } from "./dom.js";

const KEY = "tradeactor.dashboard.layout";

function load() {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "{}");
    return {
      order: Array.isArray(saved.order) ? saved.order.filter((x) => typeof x === "string") : [],
      collapsed: Array.isArray(saved.collapsed) ? saved.collapsed.filter((x) => typeof x === "string") : [],
      theme: saved.theme === "light" ? "light" : "dark",
    };
  } catch {
    return { order: [], collapsed: [], theme: "dark" };
  }
}

export function setupLayout() {
  const state = load();
  const root = byId("panels");
  const panels = () => [...root.querySelectorAll(":scope > .panel")];
  const save = () => {
    state.order = panels().map((p) => p.dataset.panel);
    state.collapsed = panels().filter((p) => p.classList.contains("collapsed")).map((p) => p.dataset.panel);
    try {
      localStorage.setItem(KEY, JSON.stringify(state));
    } catch { /* private mode: the layout is not remembered */ }
  };
  const applyTheme = () => (document.documentElement.dataset.theme = state.theme);

  // Saved order first (unknown names ignored), panels added since then after them in page order.
  const byName = new Map(panels().map((p) => [p.dataset.panel, p]));
  for (const name of state.order) {
    const panel = byName.get(name);
    if (panel) root.appendChild(panel);
  }
  for (const panel of byName.values()) if (!state.order.includes(panel.dataset.panel)) root.appendChild(panel);

  for (const panel of panels()) {
    const title = panel.querySelector(":scope > h2");
    const tools = document.createElement("span");
    tools.className = "tools";
    tools.innerHTML = `<button type="button" class="small" data-move="-1" title="Move up">↑</button>` +
      `<button type="button" class="small" data-move="1" title="Move down">↓</button>` +
      `<button type="button" class="small" data-collapse title="Collapse or expand">−</button>`;
    title.appendChild(tools);
    const toggle = tools.querySelector("[data-collapse]");
    const setCollapsed = (on) => {
      panel.classList.toggle("collapsed", on);
      toggle.textContent = on ? "+" : "−";
      toggle.setAttribute("aria-expanded", String(!on));
    };
    setCollapsed(state.collapsed.includes(panel.dataset.panel));
    toggle.onclick = () => {
      setCollapsed(!panel.classList.contains("collapsed"));
      save();
    };
    for (const button of tools.querySelectorAll("[data-move]")) {
      button.onclick = () => {
        const list = panels();
        const i = list.indexOf(panel) + Number(button.dataset.move);
        if (i < 0 || i >= list.length) return;
        if (Number(button.dataset.move) < 0) root.insertBefore(panel, list[i]);
        else root.insertBefore(panel, list[i].nextSibling);
        save();
      };
    }
    title.draggable = true;
    title.ondragstart = (e) => {
      panel.classList.add("dragging");
      e.dataTransfer.setData("text/plain", panel.dataset.panel);
    };
    title.ondragend = () => panel.classList.remove("dragging");
    panel.ondragover = (e) => e.preventDefault();
    panel.ondrop = (e) => {
      e.preventDefault();
      const moved = byName.get(e.dataTransfer.getData("text/plain"));
      if (!moved || moved === panel) return;
      const list = panels();
      root.insertBefore(moved, list.indexOf(moved) < list.indexOf(panel) ? panel.nextSibling : panel);
      save();
    };
  }
  applyTheme();
  byId("theme").onclick = () => {
    state.theme = state.theme === "dark" ? "light" : "dark";
    applyTheme();
    save();
    // Charts read their colours when drawn: a theme change redraws them.
    globalThis.dispatchEvent(new Event("resize"));
  };
}
