/**
 * The dashboard page, assembled once per process: the markup (page.html), the stylesheet (style.css), uPlot and the
 * client modules (client/, bundled by bundle.ts) inline, and the limit rules the forms show as data. The script's
 * SHA-256 goes into the page's Content-Security-Policy, so no other script can run on the page.
 */
import { RISK_LIMIT_RULES, STRATEGY_LIMIT_RULES } from "../../risk_guardian/limits.ts";
import { describeRule, type NumberRule } from "../../runtime/validate.ts";
import { loadChartLibrary } from "./assets.ts";
import { bundle } from "./bundle.ts";

export interface DashboardPage {
  /** The page, with what this daemon offers (e.g. `{ logs: true }`) added to the data the script reads. */
  html(features: Readonly<Record<string, boolean>>): string;
  /** 'sha256-…' of the page's one script. */
  readonly scriptHash: string;
}

const META = `{ "meta": "inlined by page.ts" }`;

const here = (file: string) => new URL(file, import.meta.url);

/** What the forms need of the server's rules: limit names, ranges and hints, account and strategy. */
function rules() {
  const rules = (table: Readonly<Record<string, NumberRule>>) =>
    Object.fromEntries(Object.entries(table).map(([name, rule]) => [name, { ...rule, text: describeRule(rule) }]));
  return { limits: { account: rules(RISK_LIMIT_RULES), strategy: rules(STRATEGY_LIMIT_RULES) } };
}

/** JSON that cannot end the <script> element it sits in. */
const inertJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c");

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
}

async function build(): Promise<DashboardPage> {
  const [markup, style, chart, app] = await Promise.all([
    Deno.readTextFile(here("page.html")),
    Deno.readTextFile(here("style.css")),
    loadChartLibrary(),
    bundle(here("client/main.js")),
  ]);
  const licence = `/*! uPlot, MIT licence:\n${chart.license.replace(/\*\//g, "* /")}*/\n`;
  const script = `${licence}${chart.js}\n${app}`;
  // Replacement functions: the inlined code may contain "$&"-like sequences that a string replacement would expand.
  const html = markup
    .replace("/*{{style}}*/", () => `${chart.css}\n${style}`)
    .replace(/<script>\s*\/\*\{\{script\}\}\*\/\s*<\/script>/, () => `<script>${script}</script>`);
  if (!html.includes(script)) throw new Error("Cannot build the dashboard: page.html has no script placeholder");
  if (/<\/script/i.test(script)) throw new Error("Cannot build the dashboard: its script contains </script");
  const [before, after] = html.split(META);
  if (after === undefined) throw new Error("Cannot build the dashboard: page.html has no meta placeholder");
  const limits = rules();
  return {
    html: (features) => `${before}${inertJson({ ...limits, features })}${after}`,
    scriptHash: await sha256(script),
  };
}

let cached: Promise<DashboardPage> | undefined;

/** The page (built on first use; a failed build is retried on the next request). */
export function dashboardPage(): Promise<DashboardPage> {
  cached ??= build().catch((err) => {
    cached = undefined;
    throw err;
  });
  return cached;
}
