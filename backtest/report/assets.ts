// uPlot's browser build and stylesheet, read from the npm package at report time so the HTML report can
// inline them and open offline. The dynamic import puts the package in Deno's module graph (so it is
// installed, in the global cache or node_modules alike); import.meta.resolve then gives the file's URL.

export interface ChartAssets {
  /** uPlot's IIFE build (defines the global `uPlot`). */
  readonly js: string;
  /** uPlot's MIT licence text, which must travel with the inlined copy. */
  readonly license: string;
  readonly css: string;
  readonly version: string;
}

let cached: Promise<ChartAssets> | undefined;

/** Load uPlot's JS and CSS once per process. */
export function loadChartAssets(): Promise<ChartAssets> {
  cached ??= load();
  return cached;
}

async function load(): Promise<ChartAssets> {
  try {
    await import("uplot");
  } catch (e) {
    throw new Error(
      `Cannot load uPlot for the HTML report: deno.json needs "uplot": "npm:uplot@1.6.32" in its imports (${e})`,
    );
  }
  const read = (file: string) => Deno.readTextFile(new URL(import.meta.resolve(`uplot/${file}`)));
  const [js, css, license] = await Promise.all([
    read("dist/uPlot.iife.min.js"),
    read("dist/uPlot.min.css"),
    read("LICENSE"),
  ]);
  // The build's first line is "/*! https://github.com/leeoniya/uPlot (v1.6.32) */".
  const version = /\(v([\d.]+)\)/.exec(js.slice(0, 200))?.[1] ?? "unknown";
  return { js, css, license, version };
}
