/**
 * Keys: the bytes a terminal sends → key names, and the key table the TUI dispatches on. The `?` help is generated
 * from the same table (help.ts), so the help cannot list a key the code does not handle, nor miss one it does.
 */
import type { LogFilter } from "./api.ts";
import { type Command, type CommandContext, describe, parseCommand } from "./commands.ts";
import { LOG_LEVELS, type Snapshot } from "./model.ts";
import { type PaneId, PANES, type Row } from "./panes.ts";

export type Mode =
  | { readonly kind: "normal" }
  | { readonly kind: "search"; readonly text: string }
  | { readonly kind: "command"; readonly text: string }
  | { readonly kind: "confirm"; readonly command: Command; readonly text: string }
  | { readonly kind: "help" };

export interface UiState {
  readonly focus: PaneId;
  /** The selected row of each pane (in its searched rows). */
  readonly rows: Readonly<Record<PaneId, number>>;
  /** Each pane's `/` search. */
  readonly searches: Readonly<Record<PaneId, string>>;
  readonly mode: Mode;
  readonly log: LogFilter;
  readonly message?: { readonly text: string; readonly error: boolean };
}

const perPane = <T>(value: T) => Object.fromEntries(PANES.map((p) => [p, value])) as Record<PaneId, T>;

export const initialUi = (): UiState => ({
  focus: "positions",
  rows: perPane(0),
  searches: perPane(""),
  mode: { kind: "normal" },
  log: { level: "info" },
});

/** What the driver does after a key. */
export type Effect =
  | { readonly type: "none" }
  | { readonly type: "refresh" }
  | { readonly type: "run"; readonly command: Command }
  | { readonly type: "quit" };

/** What the reducer may read: the snapshot and each pane's rows as shown (searched). */
export interface View {
  readonly snapshot: Snapshot;
  readonly rows: (pane: PaneId) => readonly Row[];
}

type KeyAction =
  | { readonly type: "move"; readonly by: number }
  | { readonly type: "top" }
  | { readonly type: "bottom" }
  | { readonly type: "pane"; readonly by: number }
  | { readonly type: "search" }
  | { readonly type: "clear" }
  | { readonly type: "command" }
  | { readonly type: "level" }
  | { readonly type: "refresh" }
  | { readonly type: "kill" }
  | { readonly type: "help" }
  | { readonly type: "quit" };

export interface KeyBinding {
  readonly keys: readonly string[];
  readonly help: string;
  /** Its word in the footer (the keys without one are in `?` only). */
  readonly short?: string;
  readonly action: KeyAction;
}

/** The normal-mode keys: dispatched on and shown by `?`, from this one table. */
export const KEY_TABLE: readonly KeyBinding[] = [
  { keys: ["j", "down"], short: "down", help: "next row", action: { type: "move", by: 1 } },
  { keys: ["k", "up"], short: "up", help: "previous row", action: { type: "move", by: -1 } },
  { keys: ["g"], help: "first row", action: { type: "top" } },
  { keys: ["G"], help: "last row", action: { type: "bottom" } },
  { keys: ["l", "tab", "right"], short: "next pane", help: "next pane", action: { type: "pane", by: 1 } },
  { keys: ["h", "shift-tab", "left"], short: "prev pane", help: "previous pane", action: { type: "pane", by: -1 } },
  {
    keys: ["/"],
    short: "search",
    help: "search: keep the focused pane's rows that contain the text",
    action: { type: "search" },
  },
  { keys: ["escape"], help: "clear the focused pane's search", action: { type: "clear" } },
  { keys: [":"], short: "command", help: "command line (:help lists the commands)", action: { type: "command" } },
  { keys: ["L"], help: "log pane: next lowest level (debug, info, warn, error)", action: { type: "level" } },
  { keys: ["r"], help: "refresh now", action: { type: "refresh" } },
  { keys: ["K"], short: "kill switch", help: "kill switch (same as :kill, asks first)", action: { type: "kill" } },
  { keys: ["?"], short: "help", help: "this help", action: { type: "help" } },
  { keys: ["q", "ctrl-c"], short: "quit", help: "quit", action: { type: "quit" } },
];

/** Keys of the prompts (`/`, `:`, confirmation), for the help. */
export const PROMPT_KEYS: readonly { readonly keys: string; readonly help: string }[] = [
  { keys: "enter", help: "run the command / keep the search" },
  { keys: "escape", help: "cancel" },
  { keys: "backspace", help: "delete a character" },
  { keys: "y", help: "confirm an action that trades (any other key aborts it)" },
];

const BINDINGS = new Map(KEY_TABLE.flatMap((b) => b.keys.map((k) => [k, b.action] as const)));

const SEQUENCES: Record<string, string> = {
  "\x1b[A": "up",
  "\x1b[B": "down",
  "\x1b[C": "right",
  "\x1b[D": "left",
  "\x1b[Z": "shift-tab",
  "\x1bOA": "up",
  "\x1bOB": "down",
  "\x1bOC": "right",
  "\x1bOD": "left",
};

/** The bytes of one read → key names (a read may hold several keys: pasted or sent at once). */
export function decodeKeys(input: string): string[] {
  const keys: string[] = [];
  for (let i = 0; i < input.length;) {
    const ch = input[i];
    if (ch === "\x1b") {
      // A CSI or SS3 sequence ends at its final byte; an ESC alone is the escape key.
      // deno-lint-ignore no-control-regex
      const csi = /^\x1b(\[[0-9;?]*[\x40-\x7e]|O[A-Za-z])/.exec(input.slice(i));
      if (csi) {
        keys.push(SEQUENCES[csi[0]] ?? "unknown");
        i += csi[0].length;
      } else {
        keys.push("escape");
        i++;
      }
      continue;
    }
    i++;
    if (ch === "\t") keys.push("tab");
    else if (ch === "\r" || ch === "\n") keys.push("enter");
    else if (ch === "\x7f" || ch === "\b") keys.push("backspace");
    else if (ch === "\x03") keys.push("ctrl-c");
    else if (ch < " ") keys.push("unknown");
    else keys.push(ch);
  }
  return keys;
}

export interface KeyResult {
  readonly ui: UiState;
  readonly effect: Effect;
  /** False: the key means nothing here (normal mode: not in KEY_TABLE). */
  readonly handled: boolean;
}

const NONE: Effect = { type: "none" };
const done = (ui: UiState, effect: Effect = NONE): KeyResult => ({ ui, effect, handled: true });
const clamp = (n: number, rows: number) => Math.max(0, Math.min(Math.max(0, rows - 1), n));
const printable = (key: string) => [...key].length === 1 && key >= " ";

/** The strategy under the cursor (when the focused pane's row is about one). */
export function selectedStrategy(ui: UiState, view: View): string | undefined {
  const rows = view.rows(ui.focus);
  return rows[clamp(ui.rows[ui.focus], rows.length)]?.strategy;
}

/**
 * After a refresh: each pane's selection stays on the row it was on (found by key) when rows came or went above it.
 * A selection on the first row stays there: the newest order, alert or log line, as they arrive.
 */
export function keepSelection(
  ui: UiState,
  before: (pane: PaneId) => readonly Row[],
  after: (pane: PaneId) => readonly Row[],
): UiState {
  const rows = { ...ui.rows };
  for (const pane of PANES) {
    if (rows[pane] === 0) continue;
    const old = before(pane);
    const key = old[clamp(rows[pane], old.length)]?.key;
    const now = after(pane);
    const found = now.findIndex((r) => r.key === key);
    rows[pane] = found >= 0 ? found : clamp(rows[pane], now.length);
  }
  return PANES.every((p) => rows[p] === ui.rows[p]) ? ui : { ...ui, rows };
}

/** A parsed command: applied to the UI at once, or held for a `y` when it trades. */
export function applyCommand(ui: UiState, command: Command, view: View): KeyResult {
  const normal = { ...ui, mode: { kind: "normal" } as const, message: undefined };
  switch (command.type) {
    case "stop":
    case "start": {
      const known = view.snapshot.strategies?.map((x) => x.id);
      if (known && !known.includes(command.id)) {
        const message = `no strategy ${command.id} (there are: ${known.join(", ") || "none"})`;
        return done({ ...normal, message: { text: message, error: true } });
      }
      return done({ ...normal, mode: { kind: "confirm", command, text: describe(command, view.snapshot) } });
    }
    case "kill":
    case "resume":
      // Each trades, or lets trading go on: said in words, then held for a `y`.
      return done({ ...normal, mode: { kind: "confirm", command, text: describe(command, view.snapshot) } });
    case "level":
      return done({ ...normal, log: { ...ui.log, level: command.level } });
    case "strategy": {
      const { strategy: _, ...rest } = ui.log;
      return done({ ...normal, log: command.id ? { ...rest, strategy: command.id } : rest });
    }
    case "help":
      return done({ ...normal, mode: { kind: "help" } });
    case "quit":
      return done(normal, { type: "quit" });
  }
}

function prompt(
  ui: UiState,
  mode: { readonly kind: "search" | "command"; readonly text: string },
  key: string,
  submit: (text: string) => KeyResult,
): KeyResult {
  const text = mode.text;
  if (key === "enter") return submit(text);
  if (key === "escape" || key === "ctrl-c") return done({ ...ui, mode: { kind: "normal" } });
  if (key === "backspace") {
    return text === ""
      ? done({ ...ui, mode: { kind: "normal" } })
      : done({ ...ui, mode: { kind: mode.kind, text: text.slice(0, -1) } });
  }
  if (printable(key)) return done({ ...ui, mode: { kind: mode.kind, text: text + key } });
  return { ui, effect: NONE, handled: false };
}

function normalKey(ui: UiState, key: string, view: View): KeyResult {
  const action = BINDINGS.get(key);
  if (!action) return { ui, effect: NONE, handled: false };
  const count = view.rows(ui.focus).length;
  const row = (n: number) => done({ ...ui, rows: { ...ui.rows, [ui.focus]: clamp(n, count) } });
  switch (action.type) {
    case "move":
      return row(clamp(ui.rows[ui.focus], count) + action.by);
    case "top":
      return row(0);
    case "bottom":
      return row(count - 1);
    case "pane": {
      const next = PANES[(PANES.indexOf(ui.focus) + action.by + PANES.length) % PANES.length];
      return done({ ...ui, focus: next });
    }
    case "search":
      return done({ ...ui, mode: { kind: "search", text: "" }, message: undefined });
    case "clear":
      return done({ ...ui, searches: { ...ui.searches, [ui.focus]: "" }, message: undefined });
    case "command":
      return done({ ...ui, mode: { kind: "command", text: "" }, message: undefined });
    case "level": {
      const level = LOG_LEVELS[(LOG_LEVELS.indexOf(ui.log.level) + 1) % LOG_LEVELS.length];
      return done({ ...ui, log: { ...ui.log, level } });
    }
    case "refresh":
      return done(ui, { type: "refresh" });
    case "kill":
      return applyCommand(ui, { type: "kill", flatten: true }, view);
    case "help":
      return done({ ...ui, mode: { kind: "help" } });
    case "quit":
      return done(ui, { type: "quit" });
  }
}

/** One key → the next UI state and what the driver must do. */
export function onKey(ui: UiState, key: string, view: View): KeyResult {
  const mode = ui.mode;
  switch (mode.kind) {
    case "normal":
      return normalKey(ui, key, view);
    case "help":
      // Any key closes the help; ctrl-c still quits.
      return key === "ctrl-c" ? done(ui, { type: "quit" }) : done({ ...ui, mode: { kind: "normal" } });
    case "confirm":
      return key === "y"
        ? done({ ...ui, mode: { kind: "normal" }, message: undefined }, { type: "run", command: mode.command })
        : done({ ...ui, mode: { kind: "normal" }, message: { text: "cancelled: nothing was sent", error: false } });
    case "search":
      return prompt(ui, mode, key, (text) =>
        done({
          ...ui,
          mode: { kind: "normal" },
          searches: { ...ui.searches, [ui.focus]: text },
          rows: { ...ui.rows, [ui.focus]: 0 },
        }));
    case "command":
      return prompt(ui, mode, key, (text) => {
        const parsed = parseCommand(text, commandContext(ui, view));
        return "error" in parsed
          ? done({ ...ui, mode: { kind: "normal" }, message: { text: parsed.error, error: true } })
          : applyCommand(ui, parsed, view);
      });
  }
}

/** In the strategies pane, a command may leave out the id: the strategy under the cursor. */
function commandContext(ui: UiState, view: View): CommandContext {
  const id = ui.focus === "strategies" ? selectedStrategy(ui, view) : undefined;
  return id ? { selectedStrategy: id } : {};
}
