/**
 * Dependencies point one way, so the layers can be told apart: the actor runtime and the protocol at the bottom, then
 * storage (bar files, the candle store, journals) and the strategy API, then the actors, then the backtester, and the
 * commands on top. `actors/` never imports from `backtest/` or `cli/`. Every import of every module is checked.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname;

/** What each layer may import besides itself. "actors" is every actors/ folder but runtime and protocol. */
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  "actors/protocol": [],
  "actors/runtime": [],
  storage: ["actors/protocol"],
  strategies: ["actors/protocol", "actors/runtime"],
  actors: ["actors/protocol", "actors/runtime", "storage", "strategies"],
  backtest: ["actors/protocol", "actors/runtime", "actors", "storage", "strategies"],
  cli: ["actors/protocol", "actors/runtime", "actors", "storage", "strategies", "backtest"],
  bench: ["actors/protocol", "actors/runtime", "actors", "storage", "strategies", "backtest"],
  "main.ts": ["cli"],
};

function layerOf(path: string): string | undefined {
  const [top, sub] = path.split("/");
  if (top === "actors") return sub === "runtime" || sub === "protocol" ? `actors/${sub}` : "actors";
  return top in ALLOWED ? top : undefined;
}

const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']/gm;

/** The imports of `file` (relative to the root) that break the rules, as "file → target (why)". */
function violations(file: string, source: string): string[] {
  const from = layerOf(file);
  if (from === undefined) return [];
  const out: string[] = [];
  for (const [, spec] of source.matchAll(IMPORT)) {
    const target = normalize(join(dirname(file), spec));
    const to = layerOf(target);
    if (to === undefined || to === from || ALLOWED[from].includes(to)) continue;
    out.push(`${file} → ${target} (${from} must not import ${to})`);
  }
  return out;
}

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(join(ROOT, dir))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await sources(path));
    else if (/\.tsx?$/.test(entry.name)) out.push(path);
  }
  return out;
}

Deno.test("layers: the checker catches an upward import, a dynamic one too, and lets a downward one pass", () => {
  assert.deepEqual(violations("actors/portfolio/x.ts", `import type { T } from "../../backtest/report/types.ts";`), [
    "actors/portfolio/x.ts → backtest/report/types.ts (actors must not import backtest)",
  ]);
  assert.equal(violations("actors/system/x.ts", `const m = await import("../../cli/data.ts");`).length, 1);
  assert.equal(violations("storage/market/x.ts", `import { y } from "../../actors/exchange/snap.ts";`).length, 1);
  assert.equal(violations("actors/runtime/x.ts", `import { z } from "../protocol/mod.ts";`).length, 1);
  assert.deepEqual(violations("backtest/x.ts", `import { loadBars } from "../storage/bars/mod.ts";`), []);
  assert.deepEqual(violations("cli/x.ts", `import { runBacktest } from "../backtest/engine.ts";`), []);
});

Deno.test("layers: no module imports upward (actors never import backtest/ or cli/)", async () => {
  const files = [
    "main.ts",
    ...(await Promise.all(["actors", "storage", "strategies", "backtest", "cli", "bench"].map(sources))).flat(),
  ];
  assert.ok(files.length > 150, `checked ${files.length} files`);
  const found: string[] = [];
  for (const file of files) found.push(...violations(file, await Deno.readTextFile(join(ROOT, file))));
  assert.deepEqual(found, [], `upward imports:\n${found.join("\n")}`);
});
