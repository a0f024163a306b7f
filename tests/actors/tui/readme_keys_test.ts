/** The README's TUI key table, `deno task tui --help` and the key table the TUI dispatches on list the same keys. */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { COMMANDS } from "../../../actors/tui/commands.ts";
import { KEY_TABLE } from "../../../actors/tui/keys.ts";

const README = await Deno.readTextFile(new URL("../../../README.md", import.meta.url));
const MAIN = fileURLToPath(new URL("../../../main.ts", import.meta.url));

function readmeTable(): { keys: Set<string>; commands: Set<string> } {
  const lines = README.split("\n");
  const start = lines.findIndex((l) => /^\| Keys +\| Do +\|$/.test(l));
  assert.ok(start >= 0, "the README has the TUI key table");
  const rows = [];
  for (let i = start + 2; lines[i]?.startsWith("|"); i++) rows.push(lines[i]);
  const spans = rows.flatMap((r) => [...r.matchAll(/`([^`]+)`/g)].map((m) => m[1]));
  return {
    keys: new Set(spans.filter((s) => !s.startsWith(":") || s === ":")),
    commands: new Set(spans.filter((s) => s.startsWith(":") && s !== ":")),
  };
}

Deno.test("docs: the README's TUI keys are the TUI's key table and its commands", () => {
  const { keys, commands } = readmeTable();
  assert.deepEqual([...keys].sort(), KEY_TABLE.flatMap((b) => b.keys).sort());
  assert.deepEqual([...commands].sort(), COMMANDS.map((c) => c.usage).sort());
});

Deno.test("docs: `deno task tui --help` lists the keys and commands the README lists", async () => {
  const out = await new Deno.Command(Deno.execPath(), { args: ["run", "-A", MAIN, "tui", "--help"], stdout: "piped" })
    .output();
  assert.equal(out.code, 0);
  const help = new TextDecoder().decode(out.stdout);
  const keysSection = help.slice(help.indexOf("\nKeys\n"), help.indexOf("\nIn prompts\n"));
  const helped = new Set(
    keysSection.split("\n").slice(2).flatMap((l) => l.trim().split(/ {2,}/)[0]?.split(", ") ?? []).filter(Boolean),
  );
  const { keys, commands } = readmeTable();
  assert.deepEqual([...helped].sort(), [...keys].sort(), "keys in --help vs README");
  for (const c of commands) assert.ok(help.includes(c), `--help shows ${c}`);
});
