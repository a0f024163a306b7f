/** Command-line entry: parses the subcommand and dispatches. No logic lives here. */
const USAGE = `tradeactor — event-driven trading and backtesting

Usage: deno task <command> [options]     (each command has --help)
  backtest   run a strategy over stored bars and write a report
  live       run the trading daemon (paper or live)
  optimize   grid/random search and walk-forward
  data       download, import, check, list and export market data
  tui        terminal UI over a running daemon
`;

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  backtest: async () => (await import("./cli/backtest.ts")).runBacktestCommand,
  data: async () => (await import("./cli/data.ts")).runDataCommand,
  optimize: async () => (await import("./cli/optimize.ts")).runOptimizeCommand,
  live: async () => (await import("./cli/live.ts")).runLiveCommand,
  tui: async () => (await import("./cli/tui.ts")).runTuiCommand,
};

export async function main(args: string[]): Promise<number> {
  const [command, ...rest] = args;
  if (command === undefined || command === "help" || command === "--help" || command === "-h") {
    console.log(USAGE);
    return 0;
  }
  const load = COMMANDS[command];
  if (!load) {
    console.error(`Unknown command "${command}".\n\n${USAGE}`);
    return 2;
  }
  return await (await load())(rest);
}

if (import.meta.main) Deno.exit(await main(Deno.args));
