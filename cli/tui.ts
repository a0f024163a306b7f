/** `deno task tui [--url URL | --config FILE] [--token T]`: the terminal UI over a running daemon's control endpoint. */
import { parseCommandLine } from "./args.ts";
import { runTui } from "../actors/tui/tui.ts";
import { keyLines } from "../actors/tui/help.ts";
import { loadDataDir } from "../actors/system/live_config.ts";
import { readControlFile } from "../actors/system/control.ts";

export async function runTuiCommand(args: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseCommandLine(args, {
      url: { type: "string" },
      config: { type: "string", short: "c" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    }));
  } catch (err) {
    console.error(`tui: ${(err as Error).message}\nRun "deno task tui --help" for the options.`);
    return 2;
  }
  if (values.help) {
    console.log(`Usage: deno task tui [--url http://127.0.0.1:8787 | --config live.json] [--token TOKEN] [-h, --help]

Watches a running daemon (deno task live) over its /api/v1, refreshed every second: the account (equity, P&L in
green/red, drawdown, venue, feed), positions, open orders, strategies, risk (measures and limit use), alerts and the
daemon's log (filtered by level and strategy). Stopping or starting a strategy, the kill switch and resume each say
what they will do and wait for y. Colours are off when NO_COLOR is set or the output is not a terminal.

${keyLines().join("\n")}

--config finds the daemon (and the token it generated, if any) through control.json in its data directory; the
token otherwise comes from --token or TRADEACTOR_CONTROL_TOKEN (actions need the admin token).

Exit codes: 0 quit, 2 bad usage or standard input is not a terminal.`);
    return 0;
  }
  if (!Deno.stdin.isTerminal()) {
    console.error("tui: standard input is not a terminal");
    return 2;
  }
  const found = values.config ? await readControlFile({ dataDir: await loadDataDir(values.config) }) : undefined;
  const url = (values.url ?? found?.url ?? "http://127.0.0.1:8787").replace(/\/$/, "");
  const token = values.token ?? (Deno.env.get("TRADEACTOR_CONTROL_TOKEN") || undefined) ?? found?.token;
  return await runTui({ url, ...(token ? { token } : {}) });
}
