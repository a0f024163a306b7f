// deno-lint-ignore-file no-control-regex -- these tests read the escape codes the screen is made of
import assert from "node:assert/strict";
import { initialUi, type UiState } from "../../../actors/tui/keys.ts";
import { emptySnapshot } from "../../../actors/tui/model.ts";
import { footer, paneRows, render, split } from "../../../actors/tui/render.ts";
import { COLOR, PLAIN, strip, width } from "../../../actors/tui/text.ts";
import { NOW, SNAPSHOT } from "./fixture.ts";
import { reversed } from "./sgr.ts";

const WIDE = { width: 160, height: 48 };
const screen = (ui: UiState = initialUi(), size = WIDE, style = PLAIN, s = SNAPSHOT) => render(s, ui, style, NOW, size);

Deno.test("tui render: exactly the terminal's size, at wide and narrow widths", () => {
  for (const size of [WIDE, { width: 100, height: 40 }, { width: 60, height: 20 }, { width: 200, height: 60 }]) {
    for (const style of [PLAIN, COLOR]) {
      const lines = screen(initialUi(), size, style);
      assert.equal(lines.length, size.height, `${size.width}x${size.height}`);
      for (const l of lines) assert.equal(width(l), size.width, `a line of ${size.width}x${size.height}: ${strip(l)}`);
    }
  }
});

Deno.test("tui render: every pane, the account summary and the numbers a person reads", () => {
  const text = screen().join("\n");
  for (
    const expected of [
      /Equity 10,750\.50/,
      /Balance 10,500\.00/,
      /Unrealized \+250\.50/,
      /Daily P&L -125\.25/,
      /Drawdown 4\.2%/,
      /Leverage 3\.37/,
      /Open orders 1/,
      /Trading ACTIVE/,
      /Venue paper ready/,
      /Feed fresh/,
      /updated 2s ago/,
      /Positions \(2\)/,
      /ma-btc +BTC\/USDT +0\.5 +60,000\.00 +60,541\.00 +\+270\.50/,
      /mr-eth +ETH\/USDT +-2 +3,000\.00 +3,010\.00 +-20\.00 +\+30\.00/,
      /Open orders \(1\)/,
      /ma-btc-7 +buy +limit +0\/0\.25 +59,000\.00 accepted/,
      /Strategies \(2\)/,
      /mr-eth +STOPPED .*-20\.00/,
      /ma-btc +ACTIVE +5,270\.50 +\+270\.50/,
      /Risk +ACTIVE/,
      /ma-btc +maxPositionQty +0\.5 +0\.6 +83%/,
      /Alerts \(1\)/,
      /strategy stopped/,
      /Log +info\+ +all strategies \(2\)/,
      /live\/risk +order denied why=notional/,
    ]
  ) assert.match(text, expected);
  assert.doesNotMatch(text, /live\/feed/, "debug lines are below the info level");
});

Deno.test("tui render: profit green, loss red, states coloured; no escape code at all without colour", () => {
  const coloured = screen(initialUi(), WIDE, COLOR).join("\n");
  assert.match(coloured, /\x1b\[32m\+270\.50\x1b\[0m/);
  assert.match(coloured, /\x1b\[31m-20\.00\x1b\[0m/);
  assert.match(coloured, /\x1b\[33mSTOPPED\x1b\[0m/);
  assert.match(coloured, /\x1b\[32mACTIVE\x1b\[0m/);
  assert.match(coloured, /\x1b\[31m83%\x1b\[0m/, "a limit used above 80 % is red");
  const plain = screen().join("\n");
  assert.doesNotMatch(plain, /\x1b/);
  assert.equal(plain, strip(coloured), "the same text, only the colours differ");
});

Deno.test("tui render: the selected row is reversed from its first column to the pane's edge, across colour resets", () => {
  const ui = { ...initialUi(), rows: { ...initialUi().rows, positions: 1 } };
  const lines = screen(ui, WIDE, COLOR);
  const row = lines.find((l) => strip(l).startsWith(">mr-eth"));
  assert.ok(row, "the selected row is marked");
  assert.match(row, /\x1b\[31m-20\.00\x1b\[0m/, "it holds red numbers, whose reset would end a naive highlight");
  const paneWidth = strip(row).indexOf("│");
  const flags = reversed(row).slice(0, paneWidth);
  assert.equal(flags.length, 80);
  assert.ok(flags.every(Boolean), `reverse video stops at column ${flags.indexOf(false)}`);
  assert.equal(reversed(row)[paneWidth], false, "and stops at the pane's edge");
  // Without colour the cursor is the `>` alone.
  assert.match(screen(ui).join("\n"), /^>mr-eth/m);
});

Deno.test("tui render: a search keeps matching rows and says so; the log pane follows its filters", () => {
  const ui: UiState = { ...initialUi(), searches: { ...initialUi().searches, positions: "eth" } };
  const text = screen(ui).join("\n");
  assert.match(text, /Positions \(1 of 2, \/eth\)/);
  assert.doesNotMatch(text, /ma-btc +BTC\/USDT +0\.5/);
  assert.equal(paneRows(SNAPSHOT, ui, PLAIN, NOW, "positions").length, 1);

  const debug = screen({ ...initialUi(), log: { level: "debug" } }).join("\n");
  assert.match(debug, /Log +debug\+ +all strategies \(3\)/);
  assert.match(debug, /live\/feed +bar/);
  const one = screen({ ...initialUi(), log: { level: "debug", strategy: "mr-eth" } }).join("\n");
  assert.match(one, /Log +debug\+ +strategy mr-eth \(1\)/);
  assert.match(one, /live\/exchange +fill/);
  assert.doesNotMatch(one, /order denied/);
});

Deno.test("tui render: a daemon without a log endpoint, or not reached, is said on screen, not a crash", () => {
  const noLog = screen(initialUi(), WIDE, PLAIN, {
    ...SNAPSHOT,
    log: { kind: "unavailable", why: "log unavailable: x" },
  });
  assert.match(noLog.join("\n"), /log unavailable: x/);
  const down = screen(initialUi(), WIDE, PLAIN, {
    ...emptySnapshot("http://x"),
    errors: ["GET /api/v1/status failed"],
  });
  const text = down.join("\n");
  assert.match(text, /! GET \/api\/v1\/status failed/);
  assert.match(text, /Equity --/);
  assert.match(text, /updated never/);
  assert.match(text, /waiting for the daemon/);
});

Deno.test("tui render: prompts, confirmations and help on screen", () => {
  const command = screen({ ...initialUi(), mode: { kind: "command", text: "stop ma-btc" } });
  assert.match(command[46], /^:stop ma-btc█/);
  const confirm = screen({
    ...initialUi(),
    mode: { kind: "confirm", command: { type: "kill", flatten: true }, text: "KILL SWITCH: cancel" },
  });
  assert.match(confirm[46], /KILL SWITCH: cancel Press y to confirm, any other key cancels\./);
  assert.equal(screen()[47].trim(), footer());
  const help = screen({ ...initialUi(), mode: { kind: "help" } }).join("\n");
  assert.match(help, /tradeactor TUI: help/);
  assert.match(help, /:stop ID \[flatten\]/);
});

Deno.test("tui render: split shares a height in proportion and to the last line", () => {
  assert.deepEqual(split(10, [1, 1, 1]), [4, 3, 3]);
  assert.deepEqual(split(7, [3, 2]), [5, 2]);
  assert.equal(split(41, [2, 2, 2, 3, 2, 3]).reduce((a, b) => a + b), 41);
});

Deno.test("tui render: on a narrow terminal the summary and a confirmation wrap instead of being cut", () => {
  const size = { width: 80, height: 30 };
  const text = "KILL SWITCH: cancel every open order (1), FLATTEN every position with market orders: BTC/USDT 0.5 " +
    "(sell 0.5), and HALT trading until :resume.";
  const lines = screen(
    { ...initialUi(), mode: { kind: "confirm", command: { type: "kill", flatten: true }, text } },
    size,
  );
  assert.equal(lines.length, 30);
  const bottom = lines.map((l) => l.trim()).join(" ");
  assert.ok(bottom.includes(`${text} Press y to confirm, any other key cancels.`), bottom);
  const top = lines.slice(0, 4).join("\n");
  for (const part of ["Trading ACTIVE", "Feed fresh", "updated 2s ago", "Fees 12.00", "Open orders 1"]) {
    assert.ok(top.includes(part), `${part} in the summary:\n${top}`);
  }
  assert.doesNotMatch(top, /…/);
});

Deno.test("tui render: several venues: each venue's adapter state in the summary", () => {
  const status = {
    ...SNAPSHOT.status,
    venues: { us: { venue: "us", phase: "ready" }, eu: { venue: "eu", phase: "recovering" } },
  };
  const text = screen(initialUi(), WIDE, PLAIN, { ...SNAPSHOT, status }).join("\n");
  assert.match(text, /Venue us ready/);
  assert.match(text, /Venue eu recovering/);
});
