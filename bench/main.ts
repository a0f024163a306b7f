/** `deno task bench`: every benchmark, one JSON object per line. Figures come from one run on this machine. */
import { runtimeBench } from "./runtime_bench.ts";
import { backtestBench } from "./backtest_bench.ts";

const emit = (row: Record<string, unknown>) => console.log(JSON.stringify(row));
const only = Deno.args[0];

if (!only || only === "runtime") await runtimeBench(emit);
if (!only || only === "backtest") await backtestBench(emit);
const children = [
  ["data", "./data_bench.ts"],
  ["indicators", "./indicators_bench.ts"],
  ["storage", "./storage_bench.ts"],
  ["optimize", "./optimize_bench.ts"],
  ["live", "./live_bench.ts"],
  ["api", "./api_bench.ts"],
];
for (const [name, file] of children) {
  if (only && only !== name) continue;
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(file, import.meta.url).pathname],
    stdout: "inherit",
    stderr: "inherit",
  });
  const status = await child.output();
  if (!status.success) console.error(`bench ${name} failed with exit code ${status.code}`);
}
