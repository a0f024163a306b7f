import assert from "node:assert/strict";
import { type Frame, onKey, PLAIN, render, rowCount, type Style, type UiState } from "../../../actors/tui/render.ts";

const status = {
  portfolio: {
    total: {
      balance: 10_500,
      equity: 10_750.5,
      unrealized: 250.5,
      commissions: 12,
      positions: [
        { symbol: "BTC/USDT", qty: 0.5, avgPrice: 60_000, lastPrice: 60_501, unrealized: 250.5, realized: 0 },
        { symbol: "ETH/USDT", qty: -2, avgPrice: 3_000, lastPrice: 3_010, unrealized: -20, realized: 30 },
      ],
    },
    strategies: { "ma-btc": { balance: 10_500, equity: 10_750.5, unrealized: 230.5, commissions: 12, positions: [] } },
  },
  risk: {
    trading: "HALTED",
    openOrders: 1,
    decisions: [{ ts: 0, decision: "deny", detail: "s-9: order notional too big" }],
  },
  adapter: { venue: "paper", phase: "ready" },
};
const frame: Frame = { status, url: "http://127.0.0.1:8787", fetchedAt: 1_000 };
const ui: UiState = { pane: "positions", row: 0, confirmKill: false };
const TAGS: Style = {
  green: (s) => `<g>${s}</g>`,
  red: (s) => `<r>${s}</r>`,
  yellow: (s) => `<y>${s}</y>`,
  bold: (s) => s,
  inverse: (s) => `<sel>${s}</sel>`,
};

Deno.test("tui: profits are green, losses red, a halted venue red; the selected row is highlighted", () => {
  const screen = render(frame, ui, TAGS, 3_000);
  assert.match(screen, /Equity 10,750\.50/);
  assert.match(screen, /<g>\+250\.50<\/g>/);
  assert.match(screen, /<r>-20\.00<\/r>/);
  assert.match(screen, /Trading <r>HALTED<\/r>/);
  assert.match(screen, /<sel>BTC\/USDT/);
  assert.match(screen, /updated 2s ago/);
});

Deno.test("tui: vim keys move, switch panes and guard the kill switch behind a second K", () => {
  let state = onKey(ui, "j", 2).ui;
  assert.equal(state.row, 1);
  assert.equal(onKey(state, "j", 2).ui.row, 1, "stays on the last row");
  state = onKey(state, "l", 2).ui;
  assert.equal(state.pane, "strategies");
  assert.equal(state.row, 0);
  assert.equal(onKey(state, "h", 2).ui.pane, "positions");
  const armed = onKey(state, "K", 2);
  assert.equal(armed.action.type, "none");
  assert.equal(armed.ui.confirmKill, true);
  assert.match(render(frame, armed.ui, PLAIN, 0), /press K again/);
  assert.equal(onKey(armed.ui, "K", 2).action.type, "kill");
  assert.equal(onKey(armed.ui, "j", 2).action.type, "none");
  assert.equal(onKey(ui, "q", 2).action.type, "quit");
  assert.equal(rowCount(frame, "decisions"), 1);
});

Deno.test("tui: an unreachable daemon is a visible warning, not a crash", () => {
  const screen = render({ status: undefined, url: "http://x", error: "cannot reach the daemon" }, ui, PLAIN, 0);
  assert.match(screen, /! cannot reach the daemon/);
  assert.match(screen, /Equity --/);
});
