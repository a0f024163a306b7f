/**
 * The dashboard's client modules (plain browser JavaScript with relative imports, linted like the rest) joined into
 * one inline script: each module once, after the modules it imports, as a function whose result is its exports;
 * `import { a, b } from "./x.js"` reads them from x's result. Only named imports of sibling modules and `export`ed
 * declarations are supported: anything else is an error here, not a broken page.
 */

const IMPORT = /^import\s*\{([^}]*)\}\s*from\s*"\.\/([\w-]+)\.js";[ \t]*$/gm;
const EXPORT = /^export\s+(?:async\s+)?(?:function\*?|const|let|class)\s+([\w$]+)/gm;
const OTHER_MODULE_SYNTAX = /^(?:import\b|export\s+(?!(?:async\s+)?(?:function\*?|const|let|class)\s))/m;

export type ReadModule = (url: URL) => Promise<string>;

const variable = (name: string) => `$module_${name.replace(/-/g, "_")}`;

/** The script for `entry` and everything it imports. Throws on an import cycle or unsupported module syntax. */
export async function bundle(entry: URL, read: ReadModule = (url) => Deno.readTextFile(url)): Promise<string> {
  const done = new Set<string>();
  const visiting = new Set<string>();
  const parts: string[] = [];

  const visit = async (url: URL) => {
    if (done.has(url.href)) return;
    const name = url.pathname.split("/").pop()!.replace(/\.js$/, "");
    if (visiting.has(url.href)) throw new Error(`Cannot bundle the dashboard: import cycle through ${name}.js`);
    visiting.add(url.href);
    const source = await read(url);
    for (const m of source.matchAll(IMPORT)) await visit(new URL(`./${m[2]}.js`, url));
    const exported = [...source.matchAll(EXPORT)].map((m) => m[1]);
    const imported = source.replace(
      IMPORT,
      (_, names: string, from: string) => `const {${names}} = ${variable(from)};`,
    );
    if (OTHER_MODULE_SYNTAX.test(imported)) {
      throw new Error(`Cannot bundle the dashboard: ${name}.js has module syntax this bundler does not read`);
    }
    const body = imported.replace(/^export\s+/gm, "");
    parts.push(`const ${variable(name)} = (() => {\n${body.trim()}\nreturn { ${exported.join(", ")} };\n})();\n`);
    visiting.delete(url.href);
    done.add(url.href);
  };
  await visit(entry);
  return `"use strict";\n(() => {\n${parts.join("\n")}})();\n`;
}
