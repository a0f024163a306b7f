/** The `?` overlay and the key list of `deno task tui --help`: generated from the tables the TUI dispatches on. */
import { commandHelp } from "./commands.ts";
import { KEY_TABLE, PROMPT_KEYS } from "./keys.ts";

/** `j down` → `j, down`; the names as a person types them. */
export const keyNames = (keys: readonly string[]) => keys.join(", ");

/** Keys, prompt keys and commands, one per line. */
export function keyLines(): string[] {
  return [
    "Keys",
    ...KEY_TABLE.map((b) => `  ${keyNames(b.keys).padEnd(22)} ${b.help}`),
    "In prompts",
    ...PROMPT_KEYS.map((p) => `  ${p.keys.padEnd(22)} ${p.help}`),
    "Commands (after :)",
    ...commandHelp().map((l) => `  ${l}`),
    "  (in the strategies pane, ID may be left out: the strategy under the cursor)",
  ];
}

export function helpLines(): string[] {
  return ["tradeactor TUI: help", "", ...keyLines(), "", "Any key closes this help."];
}
