/**
 * Where strategies come from: a built-in name, or a path to the user's own `.ts` file. Either way the result
 * is a module URL that `runBacktest`, the optimiser and the live daemon import, so they run the same file.
 */
import { basename, extname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { AnyStrategy } from "./api.ts";
import { validateParams } from "./params.ts";

/** Built-in strategy name → module URL. */
export const BUILT_INS: Readonly<Record<string, string>> = {
  sma_cross: new URL("./sma_cross/strategy.ts", import.meta.url).href,
  mean_reversion: new URL("./mean_reversion/strategy.ts", import.meta.url).href,
  momentum: new URL("./momentum/strategy.ts", import.meta.url).href,
};

export interface ResolvedStrategy {
  /** Module URL (file:). */
  readonly module: string;
  /** The built-in name, or the file's base name without its extension. */
  readonly name: string;
}

export class StrategyNotFoundError extends Error {
  override name = "StrategyNotFoundError";
}

const SCRIPT = /\.(ts|mts|js|mjs|tsx|jsx)$/;

/** Resolves a built-in name, a file path (relative to `cwd`) or a file: URL to a strategy module. */
export function resolveStrategy(nameOrPath: string, cwd: string = Deno.cwd()): ResolvedStrategy {
  const builtIn = BUILT_INS[nameOrPath];
  if (builtIn) return { module: builtIn, name: nameOrPath };
  const list = Object.keys(BUILT_INS).join(", ");
  const looksLikePath = SCRIPT.test(nameOrPath) || nameOrPath.includes("/") || nameOrPath.startsWith("file:");
  if (!looksLikePath) {
    throw new StrategyNotFoundError(
      `Unknown strategy "${nameOrPath}": not a built-in (${list}) nor a path to a .ts file`,
    );
  }
  const path = nameOrPath.startsWith("file:")
    ? decodeURIComponent(new URL(nameOrPath).pathname)
    : isAbsolute(nameOrPath)
    ? nameOrPath
    : resolve(cwd, nameOrPath);
  let isFile = false;
  try {
    isFile = Deno.statSync(path).isFile;
  } catch {
    // Reported below with the built-ins, which is what a typo most likely meant.
  }
  if (!isFile) {
    throw new StrategyNotFoundError(
      `Unknown strategy "${nameOrPath}": no file at ${path}, and not a built-in (${list})`,
    );
  }
  return { module: pathToFileURL(path).href, name: basename(path, extname(path)) };
}

/** A strategy module that cannot be used: it does not import, or exports no strategy by that name. */
export class StrategyLoadError extends Error {
  override name = "StrategyLoadError";
}

/**
 * Imports a strategy module and checks `params` against its schema and constraint (a ParamError names the
 * parameter), so bad parameters fail before anything runs: in a backtest, in the optimiser, in `live check`.
 */
export async function loadStrategy(
  module: string,
  exportName = "default",
  params?: Readonly<Record<string, unknown>>,
  label?: string,
): Promise<AnyStrategy> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(module);
  } catch (err) {
    throw new StrategyLoadError(`cannot load strategy ${module}: ${(err as Error).message}`);
  }
  const def = mod[exportName] as AnyStrategy | undefined;
  if (!def || typeof def.init !== "function") {
    throw new StrategyLoadError(`${module} has no strategy export "${exportName}"`);
  }
  validateParams(def.name ?? label ?? exportName, def.params, params, def.constraint);
  return def;
}
