/**
 * The README and the commands' --help say the same: the backtest option table lists exactly the options the help
 * lists, every option the README shows with a command exists in that command's help, and every help states its
 * exit codes.
 */
import assert from "node:assert/strict";

const ROOT = new URL("../../", import.meta.url).pathname;
const README = await Deno.readTextFile(`${ROOT}README.md`);

async function help(...command: string[]): Promise<string> {
  const [script, ...rest] = command[0] === "bench" ? ["bench/main.ts", ...command.slice(1)] : ["main.ts", ...command];
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", script, ...rest, "--help"],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, `${command.join(" ")} --help exits 0`);
  return new TextDecoder().decode(out.stdout);
}

const flags = (text: string) => new Set(text.match(/--[a-z][a-z-]*/g) ?? []);

/** The lines of the README section that starts with `## title`. */
function section(title: string): string {
  const start = README.indexOf(`\n## ${title}\n`);
  assert.ok(start >= 0, `README has a "${title}" section`);
  const end = README.indexOf("\n## ", start + 1);
  return README.slice(start, end < 0 ? undefined : end);
}

Deno.test("docs: the README's backtest option table and `backtest --help` list the same options", async () => {
  const table = section("Backtests").split("\n").filter((l) => l.startsWith("| `"));
  const documented = flags(table.map((l) => l.split(" | ")[0]).join(" "));
  const offered = flags(await help("backtest"));
  offered.delete("--help");
  const missing = [...offered].filter((f) => !documented.has(f));
  const stale = [...documented].filter((f) => !offered.has(f));
  assert.deepEqual({ missing, stale }, { missing: [], stale: [] }, "README table vs backtest --help");
});

Deno.test("docs: every option the README shows with a command is one that command's --help offers", async () => {
  const blocks = [...README.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const lines = blocks.join("\n").replace(/\\\n\s*/g, " ").split("\n").map((l) => l.replace(/\s+#.*$/, ""));
  const byCommand = new Map<string, Set<string>>();
  for (const line of lines) {
    const m = line.match(/(?:^|\s)(?:npx -y deno@[\d.]+ |deno )task (backtest|optimize|data|live|tui|bench)\b(.*)$/);
    if (!m) continue;
    const used = byCommand.get(m[1]) ?? new Set();
    for (const f of flags(m[2])) used.add(f);
    byCommand.set(m[1], used);
  }
  assert.ok(byCommand.size >= 5, `found the commands: ${[...byCommand.keys()]}`);
  for (const [command, used] of byCommand) {
    const offered = flags(await help(command));
    const unknown = [...used].filter((f) => !offered.has(f));
    assert.deepEqual(unknown, [], `README shows options that \`${command} --help\` does not offer`);
  }
});

Deno.test("docs: every command's --help states its exit codes, and the README has them too", async () => {
  for (const command of ["backtest", "optimize", "data", "live", "tui", "bench"]) {
    assert.match(await help(command), /Exit codes: 0 /, `${command} --help`);
  }
  const codes = section("Exit codes");
  for (const phrase of [/exits 0/, /1 when it ran and failed/, /2 on bad usage/, /`data check`/, /70/]) {
    assert.match(codes, phrase);
  }
});
