/** Command-line entry: parses the subcommand and dispatches. No logic lives here. */
const USAGE = `tradeactor — event-driven trading and backtesting

Usage: deno task <command> [options]
  backtest   run a strategy over stored bars and write a report
  live       run the trading daemon (paper or live)
  optimize   grid/random search and walk-forward
  data       download, import, check, list and export market data
  demo       run a small actor tree and print what it does
`;

function main(args: string[]): Promise<number> | number {
  const [command, ...rest] = args;
  switch (command) {
    case undefined:
    case "help":
    case "--help":
    case "-h":
      console.log(USAGE);
      return 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      void rest;
      return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
