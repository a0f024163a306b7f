/** `deno task tui [--url URL | --config FILE] [--token T]`: the terminal UI over a running daemon's control endpoint. */
import { parseArgs } from "node:util";
import { runTui } from "../actors/tui/tui.ts";
import { loadLiveConfig } from "../actors/system/live_config.ts";
import { readControlFile } from "../actors/system/control.ts";

export async function runTuiCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      url: { type: "string" },
      config: { type: "string", short: "c" },
      token: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(`Usage: deno task tui [--url http://127.0.0.1:8787 | --config live.json] [--token TOKEN]

Watches a running daemon (deno task live): equity, P&L (green/red), positions, strategies and risk decisions,
refreshed every second. Keys: j/k move, h/l or tab switch pane, g/G top/bottom, r refresh, K K kill switch, q quit.
--config finds the daemon (and the token it generated, if any) through control.json in its data directory; the
token otherwise comes from --token or TRADEACTOR_CONTROL_TOKEN (the kill switch needs it).`);
    return 0;
  }
  if (!Deno.stdin.isTerminal()) {
    console.error("tui: standard input is not a terminal");
    return 2;
  }
  const found = values.config ? await readControlFile(await loadLiveConfig(values.config)) : undefined;
  const url = (values.url ?? found?.url ?? "http://127.0.0.1:8787").replace(/\/$/, "");
  const token = values.token ?? (Deno.env.get("TRADEACTOR_CONTROL_TOKEN") || undefined) ?? found?.token;
  return await runTui({ url, ...(token ? { token } : {}) });
}
