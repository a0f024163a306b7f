/** `deno task tui [--url URL] [--token T]`: the terminal UI over a running daemon's control endpoint. */
import { parseArgs } from "node:util";
import { runTui } from "../actors/tui/tui.ts";

export async function runTuiCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { url: { type: "string" }, token: { type: "string" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    console.log(`Usage: deno task tui [--url http://127.0.0.1:8787] [--token TOKEN]

Watches a running daemon (deno task live): equity, P&L (green/red), positions, strategies and risk decisions,
refreshed every second. Keys: j/k move, h/l or tab switch pane, g/G top/bottom, r refresh, K K kill switch, q quit.`);
    return 0;
  }
  if (!Deno.stdin.isTerminal()) {
    console.error("tui: standard input is not a terminal");
    return 2;
  }
  const url = (values.url ?? "http://127.0.0.1:8787").replace(/\/$/, "");
  return await runTui({ url, token: values.token ?? Deno.env.get("TRADEACTOR_CONTROL_TOKEN") });
}
