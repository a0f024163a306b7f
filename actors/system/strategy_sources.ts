/**
 * Which strategy modules the operator API may start: the built-ins, and `.ts`/`.js` files under the configured
 * strategies directory (api.strategiesDir). Never an absolute path, a URL, or a path that leaves the directory
 * (`..`, a symbolic link pointing out): a name that arrives over the network must not choose what code runs.
 */
import { realpathSync } from "node:fs";
import { isAbsolute, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { BUILT_INS } from "../../strategies/registry.ts";
import type { AnyStrategy } from "../../strategies/api.ts";
import { errorText } from "../runtime/mod.ts";

const FILE = /^[A-Za-z0-9_][A-Za-z0-9_.\/-]{0,199}\.(ts|mts|js|mjs)$/;

export type Resolved = { readonly ok: true; readonly module: string } | { readonly ok: false; readonly error: string };

/** A built-in name or a file under `dir` → its module URL; otherwise why not. */
export function allowedStrategy(name: string, dir: string | undefined): Resolved {
  const builtIn = BUILT_INS[name];
  if (builtIn) return { ok: true, module: builtIn };
  const builtIns = Object.keys(BUILT_INS).join(", ");
  if (dir === undefined) {
    return {
      ok: false,
      error: `unknown strategy "${name}": the built-ins are ${builtIns} (files need api.strategiesDir in the config)`,
    };
  }
  if (!FILE.test(name) || isAbsolute(name) || name.split("/").some((part) => part === ".." || part === "")) {
    return {
      ok: false,
      error: `strategy "${name}" is neither a built-in (${builtIns}) nor a relative .ts/.js path under the ` +
        `strategies directory`,
    };
  }
  let root: string, real: string;
  try {
    root = realpathSync(dir);
    real = realpathSync(resolve(dir, name));
    if (!Deno.statSync(real).isFile) throw new Error("not a file");
  } catch {
    return { ok: false, error: `no strategy file "${name}" in the strategies directory` };
  }
  if (!real.startsWith(root + sep)) {
    return { ok: false, error: `strategy "${name}" leads out of the strategies directory` };
  }
  return { ok: true, module: pathToFileURL(real).href };
}

/** How a module is shown: its built-in name, or its path. */
export function displayName(module: string, dir?: string): string {
  for (const [name, url] of Object.entries(BUILT_INS)) if (url === module) return name;
  if (!module.startsWith("file:")) return module;
  const path = fileURLToPath(module);
  if (dir !== undefined) {
    const rel = relative(dir, path);
    if (!rel.startsWith("..") && !isAbsolute(rel)) return rel;
  }
  return path;
}

/** Imports a strategy module and returns its definition, or why it cannot run. */
export async function loadDefinition(module: string): Promise<AnyStrategy | string> {
  try {
    const mod = await import(module);
    const def = mod.default as AnyStrategy | undefined;
    if (!def || typeof def.init !== "function" || typeof def.params !== "object") {
      return `${displayName(module)} has no default strategy export (use defineStrategy)`;
    }
    return def;
  } catch (err) {
    return `cannot load ${displayName(module)}: ${errorText(err)}`;
  }
}

/** The strategy files under `dir` (a few levels deep), as names `allowedStrategy` accepts. */
export function strategyFiles(dir: string, maxDepth = 3): string[] {
  const out: string[] = [];
  const walk = (rel: string, depth: number) => {
    let entries: Deno.DirEntry[];
    try {
      entries = [...Deno.readDirSync(resolve(dir, rel))];
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const name = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory && depth < maxDepth && !e.name.startsWith(".")) walk(name, depth + 1);
      else if (e.isFile && FILE.test(name) && !/[._]test\.[mjt]s$/.test(name)) out.push(name);
    }
  };
  walk("", 1);
  return out;
}
