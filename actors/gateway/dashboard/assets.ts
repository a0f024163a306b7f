/**
 * uPlot's browser build and stylesheet, read from the npm package (as the backtest report does; actors/ cannot import
 * backtest/, so this is the gateway's own loader): the dashboard inlines them and needs no CDN. The dynamic import
 * puts the package in Deno's module graph (installed in the cache or node_modules); import.meta.resolve gives the file.
 */

export interface ChartLibrary {
  readonly js: string;
  readonly css: string;
  /** uPlot's MIT licence, which travels with the inlined copy. */
  readonly license: string;
}

export async function loadChartLibrary(): Promise<ChartLibrary> {
  try {
    await import("uplot");
  } catch (e) {
    throw new Error(`Cannot load uPlot for the dashboard: deno.json needs "uplot" in its imports (${e})`);
  }
  const read = (file: string) => Deno.readTextFile(new URL(import.meta.resolve(`uplot/${file}`)));
  const [js, css, license] = await Promise.all([
    read("dist/uPlot.iife.min.js"),
    read("dist/uPlot.min.css"),
    read("LICENSE"),
  ]);
  return { js, css, license };
}
