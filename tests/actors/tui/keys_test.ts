import assert from "node:assert/strict";
import { COMMANDS, describe, parseCommand } from "../../../actors/tui/commands.ts";
import { helpLines, keyLines } from "../../../actors/tui/help.ts";
import {
  decodeKeys,
  initialUi,
  keepSelection,
  KEY_TABLE,
  type KeyResult,
  onKey,
  PROMPT_KEYS,
  type UiState,
  type View,
} from "../../../actors/tui/keys.ts";
import type { PaneId } from "../../../actors/tui/panes.ts";
import { paneRows } from "../../../actors/tui/render.ts";
import { PLAIN } from "../../../actors/tui/text.ts";
import { NOW, SNAPSHOT } from "./fixture.ts";

const view = (ui: UiState): View => ({ snapshot: SNAPSHOT, rows: (pane) => paneRows(SNAPSHOT, ui, PLAIN, NOW, pane) });

/** Presses keys one after the other; the last result. */
function press(keys: string | string[], ui: UiState = initialUi()): KeyResult {
  let result: KeyResult = { ui, effect: { type: "none" }, handled: true };
  for (const key of typeof keys === "string" ? decodeKeys(keys) : keys) result = onKey(result.ui, key, view(result.ui));
  return result;
}

const NAMED = ["tab", "shift-tab", "enter", "backspace", "escape", "ctrl-c", "up", "down", "left", "right", "unknown"];
const PRINTABLE = Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i));

Deno.test("tui keys: the help lists exactly the keys the code handles", () => {
  const help = helpLines().join("\n");
  const listed = new Set(KEY_TABLE.flatMap((b) => b.keys));
  for (const key of [...PRINTABLE, ...NAMED]) {
    const { handled } = onKey(initialUi(), key, view(initialUi()));
    assert.equal(
      handled,
      listed.has(key),
      `key ${JSON.stringify(key)}: handled ${handled}, in the table ${listed.has(key)}`,
    );
  }
  for (const b of KEY_TABLE) {
    const line = keyLines().find((l) => l.includes(b.help));
    assert.ok(line, `the help shows "${b.help}"`);
    for (const key of b.keys) assert.ok(line.includes(key), `the help line for "${b.help}" names ${key}`);
  }
  for (const p of PROMPT_KEYS) assert.ok(help.includes(p.help));
  for (const c of COMMANDS) {
    assert.ok(help.includes(c.usage), `the help shows ${c.usage}`);
    assert.ok(
      !("error" in
        parseCommand(
          c.usage.slice(1).replace("ID", "ma-btc").replace("LEVEL", "warn").replace("REASON", "checked").replace(
            /\[([^\]]+)\]/,
            "$1",
          ),
        )),
      c.usage,
    );
  }
  assert.doesNotMatch(help, /K K/, "one K, as the footer says");
});

Deno.test("tui keys: bytes → keys, several keys in one read", () => {
  assert.deepEqual(decodeKeys(":stop ma-btc\r"), [":", "s", "t", "o", "p", " ", "m", "a", "-", "b", "t", "c", "enter"]);
  assert.deepEqual(decodeKeys("\x1b[A\x1b[B\x1bOC\x1b[D\x1b[Z\t"), ["up", "down", "right", "left", "shift-tab", "tab"]);
  assert.deepEqual(decodeKeys("\x1b"), ["escape"]);
  assert.deepEqual(decodeKeys("\x1bj\x7f\x03\x01"), ["escape", "j", "backspace", "ctrl-c", "unknown"]);
  assert.deepEqual(decodeKeys("\x1b[15~"), ["unknown"], "F5 is a key the TUI does not use, not five keys");
});

Deno.test("tui keys: j/k/g/G move within the pane, h/l/tab change pane, each pane keeps its row", () => {
  let ui = press("j").ui;
  assert.equal(ui.rows.positions, 1);
  assert.equal(press("jjjj").ui.rows.positions, 1, "stays on the last row");
  assert.equal(press("jk").ui.rows.positions, 0);
  assert.equal(press("G").ui.rows.positions, 1);
  assert.equal(press("Gg").ui.rows.positions, 0);
  ui = press("jl").ui;
  assert.equal(ui.focus, "orders");
  assert.equal(press("\t", ui).ui.focus, "strategies");
  assert.equal(press("h", ui).ui.rows.positions, 1, "back to positions, its row kept");
  assert.equal(press("h").ui.focus, "log", "h from the first pane wraps to the last");
  assert.equal(press(["down", "up", "down"]).ui.rows.positions, 1);
});

Deno.test("tui keys: / filters the focused pane; escape clears it; backspace edits", () => {
  const ui = press("j/ethx\x7f\r").ui;
  assert.equal(ui.searches.positions, "eth");
  assert.equal(ui.rows.positions, 0, "a new search starts at the top");
  assert.equal(paneRows(SNAPSHOT, ui, PLAIN, NOW, "positions").length, 1);
  assert.equal(press("\x1b", ui).ui.searches.positions, "");
  assert.equal(press("/abc\x1b").ui.searches.positions, "", "escape in the prompt cancels");
});

Deno.test("tui keys: :stop asks first, says what happens, and runs only on y", () => {
  const asked = press(":stop mr-eth\r");
  assert.equal(asked.effect.type, "none");
  assert.equal(asked.ui.mode.kind, "confirm");
  const text = (asked.ui.mode as { text: string }).text;
  assert.match(text, /Stop mr-eth: cancel its open orders \(0\), keep its positions: ETH\/USDT -2/);
  const yes = press("y", asked.ui);
  assert.deepEqual(yes.effect, { type: "run", command: { type: "stop", id: "mr-eth", flatten: false } });
  assert.equal(yes.ui.mode.kind, "normal");
  const no = press("n", asked.ui);
  assert.deepEqual([no.effect.type, no.ui.message?.text], ["none", "cancelled: nothing was sent"]);
  assert.equal(press("\r", asked.ui).effect.type, "none", "enter is not yes");

  const flatten = press(":stop ma-btc flatten\r");
  assert.match(
    (flatten.ui.mode as { text: string }).text,
    /cancel its open orders \(1\), FLATTEN .*BTC\/USDT 0\.5 \(sell 0\.5\)/,
  );
  assert.deepEqual(press("y", flatten.ui).effect, {
    type: "run",
    command: { type: "stop", id: "ma-btc", flatten: true },
  });
});

Deno.test("tui keys: a command without an id takes the strategy under the cursor in the strategies pane", () => {
  const ui = press("llj").ui;
  assert.equal(ui.focus, "strategies");
  const asked = press(":start\r", ui);
  assert.deepEqual((asked.ui.mode as { command: unknown }).command, { type: "start", id: "mr-eth" });
  const flatten = press(":stop flatten\r", ui);
  assert.deepEqual((flatten.ui.mode as { command: unknown }).command, { type: "stop", id: "mr-eth", flatten: true });
  const elsewhere = press(":stop\r");
  assert.equal(elsewhere.ui.message?.error, true, "elsewhere, which strategy is unknown");
  assert.match(elsewhere.ui.message!.text, /which strategy/);
});

Deno.test("tui keys: the kill switch (K or :kill) and resume ask first and say what they do", () => {
  for (const keys of ["K", ":kill\r"]) {
    const asked = press(keys);
    const text = (asked.ui.mode as { text: string }).text;
    assert.match(
      text,
      /KILL SWITCH: cancel every open order \(1\), FLATTEN every position .*BTC\/USDT 0\.5 \(sell 0\.5\)/,
    );
    assert.match(text, /HALT trading until :resume/);
    assert.deepEqual(press("y", asked.ui).effect, { type: "run", command: { type: "kill", flatten: true } });
    assert.equal(press("K", asked.ui).effect.type, "none", "a second K is not a yes");
  }
  assert.match(describe({ type: "kill", flatten: false }, SNAPSHOT), /keep the positions/);
  const resume = press(":resume checked the venue\r");
  assert.match((resume.ui.mode as { text: string }).text, /ACTIVE .*reason: checked the venue/);
  assert.deepEqual(press("y", resume.ui).effect, {
    type: "run",
    command: { type: "resume", reason: "checked the venue" },
  });
});

Deno.test("tui keys: after a refresh the selection stays on its row as new rows arrive above; the top row follows", () => {
  const line = (seq: number) => ({ seq, ts: NOW, level: "info", actor: "a", msg: `line ${seq}` });
  const at = (seqs: number[]) => {
    const s = { ...SNAPSHOT, log: { kind: "lines" as const, lines: seqs.map(line) } };
    return (ui: UiState) => (pane: PaneId) => paneRows(s, ui, PLAIN, NOW, pane);
  };
  const before = at([3, 2, 1]);
  const after = at([5, 4, 3, 2, 1]);
  const onLine2 = { ...initialUi(), focus: "log" as const, rows: { ...initialUi().rows, log: 1 } };
  const kept = keepSelection(onLine2, before(onLine2), after(onLine2));
  assert.equal(kept.rows.log, 3, "still on line 2, now the fourth row");
  const onTop = { ...onLine2, rows: { ...onLine2.rows, log: 0 } };
  assert.equal(
    keepSelection(onTop, before(onTop), after(onTop)),
    onTop,
    "the top follows the newest",
  );
  const gone = keepSelection(onLine2, before(onLine2), at([9])(onLine2));
  assert.equal(gone.rows.log, 0, "a row that went away: the nearest row that exists");
});

Deno.test("tui keys: log filters (L, :level, :strategy), :q, :help and bad commands", () => {
  assert.equal(press("L").ui.log.level, "warn");
  assert.equal(press("LLL").ui.log.level, "debug", "cycles");
  assert.deepEqual(press(":level error\r").ui.log, { level: "error" });
  assert.deepEqual(press(":strategy ma-btc\r").ui.log, { level: "info", strategy: "ma-btc" });
  assert.deepEqual(press(":strategy ma-btc\r:strategy\r").ui.log, { level: "info" });
  assert.equal(press(":q\r").effect.type, "quit");
  assert.equal(press("q").effect.type, "quit");
  assert.equal(press(["ctrl-c"]).effect.type, "quit");
  assert.equal(press(":help\r").ui.mode.kind, "help");
  assert.equal(press("?").ui.mode.kind, "help");
  assert.equal(press("?j").ui.mode.kind, "normal", "any key closes the help");
  assert.equal(press("?j").ui.rows.positions, 0, "and does nothing else");
  for (
    const [line, error] of [
      [":frobnicate\r", /unknown command :frobnicate/],
      [":level loud\r", /:level takes one of debug, info, warn, error/],
      [":resume\r", /needs a reason/],
      [":stop a b c\r", /:stop takes an id/],
      [":stop ../x\r", /not a strategy id/],
      [":kill now\r", /:kill takes nothing or "keep"/],
      [":stop nope\r", /no strategy nope \(there are: ma-btc, mr-eth\)/],
    ] as const
  ) {
    const { ui, effect } = press(line);
    assert.equal(effect.type, "none");
    assert.equal(ui.mode.kind, "normal");
    assert.match(ui.message?.text ?? "", error);
  }
});
