// The self-contained HTML report: uPlot and the data are inlined, so the file opens offline and can be mailed
// or archived as one file. Charts: equity, drawdown, price with trade markers; then the stats table.
import { loadChartAssets } from "./assets.ts";
import { bucketExtremes } from "./downsample.ts";
import { drawdownSeries } from "./drawdown.ts";
import { REPORT_FIELDS } from "./fields.ts";
import { formatTime, formatValue } from "./format.ts";
import type { Ohlc, Report, ReportInput } from "./types.ts";
import type { PortfolioSection } from "./portfolio.ts";
import { heatmapSvg, rollingChartData } from "./heatmap.ts";

export interface HtmlOptions {
  /** Page title and heading. Default "Backtest report". */
  readonly title?: string;
  /** A portfolio run: each strategy's equity, statistics and trades beside the account's. */
  readonly portfolio?: PortfolioSection;
}

/** Everything the page's script draws, in uPlot's column layout (x in seconds, null for gaps). */
export interface ChartData {
  readonly t: (number | null)[];
  readonly equity: (number | null)[];
  /** Drawdown in percent, ≤ 0, so it hangs below the axis. */
  readonly drawdown: (number | null)[];
  readonly close: (number | null)[];
  readonly high: (number | null)[] | null;
  readonly low: (number | null)[] | null;
  /** Entry price at the entry bar of each long / short trade; exit price at each exit bar. */
  readonly longEntry: (number | null)[];
  readonly shortEntry: (number | null)[];
  readonly exit: (number | null)[];
}

const finite = (x: number) => Number.isFinite(x) ? x : null;

/** Charts of more than 4 × this many bars draw each bucket's extremes (downsample.ts); shorter ones every bar. */
export const CHART_BUCKETS = 1_000;

/**
 * The chart columns for a run (exported for tests). Long runs are downsampled to the bars holding each bucket's
 * extremes of equity, drawdown and price, plus one marker of each kind per bucket; `bars` says which were kept.
 */
export function chartData(input: ReportInput, ohlc?: Ohlc, buckets = CHART_BUCKETS): ChartData & { bars: number[] } {
  const n = input.ts.length;
  const dd = drawdownSeries(input.equity);
  const close = ohlc?.close ?? input.close;
  const entries: [number[], number[]] = [[], []];
  const exits: number[] = [];
  for (const t of input.trades) {
    entries[t.size > 0 ? 0 : 1].push(t.entryBar);
    exits.push(t.exitBar);
  }
  const keep = bucketExtremes(
    n,
    buckets,
    ohlc ? [input.equity, dd, close, ohlc.high, ohlc.low] : [input.equity, dd, close],
    [...entries, exits],
  );
  const m = keep.length;
  // Bar index → its row in the columns (−1: not drawn), for placing the markers.
  const row = new Int32Array(n).fill(-1);
  for (let k = 0; k < m; k++) row[keep[k]] = k;
  const column = (xs: ArrayLike<number>, f: (x: number) => number | null = finite) => {
    const out = new Array<number | null>(m);
    for (let k = 0; k < m; k++) out[k] = f(xs[keep[k]]);
    return out;
  };
  const longEntry = new Array<number | null>(m).fill(null);
  const shortEntry = new Array<number | null>(m).fill(null);
  const exit = new Array<number | null>(m).fill(null);
  for (const t of input.trades) {
    const e = t.entryBar >= 0 && t.entryBar < n ? row[t.entryBar] : -1;
    if (e >= 0) (t.size > 0 ? longEntry : shortEntry)[e] = finite(t.entryPrice);
    const x = t.exitBar >= 0 && t.exitBar < n ? row[t.exitBar] : -1;
    if (x >= 0) exit[x] = finite(t.exitPrice);
  }
  return {
    bars: Array.from(keep),
    t: column(input.ts, (x) => finite(x / 1000)),
    equity: column(input.equity),
    drawdown: column(dd, (d) => finite(-d * 100)),
    close: column(close),
    high: ohlc ? column(ohlc.high) : null,
    low: ohlc ? column(ohlc.low) : null,
    longEntry,
    shortEntry,
    exit,
  };
}

/** The report as one HTML document. Reads uPlot from the npm package (needs read access to Deno's npm cache). */
export async function renderHtml(report: Report, input: ReportInput, ohlc?: Ohlc, options: HtmlOptions = {}) {
  const assets = await loadChartAssets();
  const title = options.title ?? "Backtest report";
  const rows = REPORT_FIELDS.map((f) => {
    const text = formatValue(report[f.key], f.kind);
    const cls = report[f.key] < 0 ? ' class="neg"' : text === "--" ? ' class="na"' : "";
    return `<tr><th>${escapeHtml(f.label)}</th><td${cls}>${escapeHtml(text)}</td></tr>`;
  }).join("\n");
  const portfolio = options.portfolio;
  const trades = tradesTable(input, portfolio !== undefined);
  // The price chart draws one symbol: only its trades are marked on it.
  const priced = portfolio
    ? { ...input, trades: input.trades.filter((t) => t.symbol === portfolio.priceSymbol) }
    : input;
  const { bars: kept, ...charted } = chartData(priced, ohlc);
  const data = portfolio
    ? {
      ...charted,
      strategies: strategyChartData(portfolio, kept),
      rolling: rollingChartData(portfolio.correlation.rolling),
    }
    : charted;
  const sampled = data.t.length < input.ts.length
    ? `; the charts draw ${data.t.length} of them (each bucket's highs and lows); equity.csv has every bar`
    : "";
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${assets.css}</style>
<style>${PAGE_CSS}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="sub">${escapeHtml(formatTime(report.start))} → ${escapeHtml(formatTime(report.end))} (UTC),
${input.ts.length} bars, ${input.trades.length} trades${escapeHtml(sampled)}</p>
<main>
<section id="charts">
<h2>Equity</h2><div id="equity"></div>
<h2>Drawdown [%]</h2><div id="drawdown"></div>
<h2>Price and trades${portfolio ? ` (${escapeHtml(portfolio.priceSymbol)})` : ""}</h2><div id="price"></div>
</section>
<section id="stats">
<h2>Statistics</h2>
<table>
${rows}
</table>
</section>
</main>
${portfolio ? strategiesSection(report, portfolio, input.initialCash) : ""}${trades}
<script>
/* uPlot v${assets.version}, inlined so this file works offline.
${assets.license.replaceAll("*/", "* /")}
*/
${escapeScript(assets.js)}
</script>
<script type="application/json" id="report-data">${escapeScript(JSON.stringify(data))}</script>
<script>${PAGE_JS}</script>${portfolio ? `\n<script>${STRATEGIES_JS}</script>` : ""}
</body>
</html>
`;
}

/** Each strategy's equity at the bars the account's charts keep. */
function strategyChartData(portfolio: PortfolioSection, kept: readonly number[]) {
  return {
    labels: portfolio.strategies.map((s) => s.id),
    equity: portfolio.strategies.map((s) => kept.map((i) => finite(s.input.equity[i]))),
  };
}

/** The strategies side by side: their equity chart, then every statistic, one column per strategy. */
function strategiesSection(total: Report, portfolio: PortfolioSection, cash: number): string {
  const cell = (value: number, kind: Parameters<typeof formatValue>[1]) => {
    const text = formatValue(value, kind);
    const cls = value < 0 ? ' class="neg"' : text === "--" ? ' class="na"' : "";
    return `<td${cls}>${escapeHtml(text)}</td>`;
  };
  const head = `<tr><th></th><th>Portfolio</th>${
    portfolio.strategies.map((s) => `<th>${escapeHtml(s.id)}</th>`).join("")
  }</tr>`;
  const symbols = `<tr><th>Symbols</th><td>all</td>${
    portfolio.strategies.map((s) => `<td>${escapeHtml(s.symbols.join(", "))}</td>`).join("")
  }</tr>`;
  const capital = `<tr><th>Capital [$]</th>${cell(cash, "number")}${
    portfolio.strategies.map((s) => cell(s.capital, "number")).join("")
  }</tr>`;
  const rows = REPORT_FIELDS.map((f) =>
    `<tr><th>${escapeHtml(f.label)}</th>${cell(total[f.key], f.kind)}${
      portfolio.strategies.map((s) => cell(s.report[f.key], f.kind)).join("")
    }</tr>`
  ).join("\n");
  return `<style>${STRATEGIES_CSS}</style>
<section id="strategies">
<h2>Strategies: equity${
    portfolio.allocation ? " (time-weighted: capital moved by rebalancing is no return)" : ""
  }</h2><div id="strategy-equity"></div>
<h2>Strategies: statistics</h2>
<table>
${head}
${symbols}
${capital}
${rows}
</table>
${correlationSection(portfolio)}
</section>
`;
}

/** Heatmaps of the daily-return correlations (strategies, then symbols) and the rolling correlation chart. */
function correlationSection(portfolio: PortfolioSection): string {
  const c = portfolio.correlation;
  const symbols = c.symbols.labels.length > 1
    ? `<figure><figcaption>Symbols (daily returns of the close)</figcaption>${
      heatmapSvg(c.symbols, "symbol-heatmap")
    }</figure>`
    : "";
  const rolling = c.rolling.length > 0
    ? `<h2>Rolling correlation (${c.window} daily returns)</h2><div id="rolling-correlation"></div>`
    : "";
  return `<h2>Correlation of daily returns (${c.days} days)</h2>
<div class="heatmaps">
<figure><figcaption>Strategies (daily returns of their equity)</figcaption>${
    heatmapSvg(c.strategies, "strategy-heatmap")
  }</figure>
${symbols}
</div>
${rolling}`;
}

/** The trade list (the last 1,000 when there are more; trades.csv has them all). */
function tradesTable(input: ReportInput, byStrategy = false): string {
  const all = input.trades;
  if (all.length === 0) return "";
  const shown = all.slice(-1_000);
  const num = (n: number, digits = 2) => Number.isFinite(n) ? n.toFixed(digits) : "--";
  const body = shown.map((t) => {
    const cls = t.pnl < 0 ? ' class="neg"' : "";
    const strategy = byStrategy ? `<td class="l">${escapeHtml(t.strategyId)}</td>` : "";
    return `<tr>${strategy}<td class="l">${escapeHtml(t.symbol)}</td><td>${num(t.size, 8).replace(/\.?0+$/, "")}</td>` +
      `<td class="l">${escapeHtml(formatTime(t.entryTime))}</td><td>${num(t.entryPrice, 4)}</td>` +
      `<td class="l">${escapeHtml(formatTime(t.exitTime))}</td><td>${num(t.exitPrice, 4)}</td>` +
      `<td${cls}>${num(t.pnl)}</td><td${cls}>${num(t.returnPct * 100)}</td><td>${num(t.commission)}</td></tr>`;
  }).join("\n");
  const note = all.length > shown.length ? ` (the last ${shown.length} of ${all.length}; all in trades.csv)` : "";
  return `<section id="trades">
<h2>Trades${note}</h2>
<table>
<tr>${
    byStrategy ? "<th>Strategy</th>" : ""
  }<th>Symbol</th><th>Size</th><th>Entry (UTC)</th><th>Entry price</th><th>Exit (UTC)</th><th>Exit price</th>` +
    `<th>P&amp;L</th><th>Return [%]</th><th>Commission</th></tr>
${body}
</table>
</section>`;
}

function escapeHtml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll('"', "&quot;");
}

/** Keep inlined text from closing its <script> element early ("</script" or "<!--" inside it). */
function escapeScript(s: string): string {
  return s.replaceAll("</script", "<\\/script").replaceAll("<!--", "<\\!--");
}

const PAGE_CSS = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 16px 24px; color: #1f2328; }
h1 { font-size: 20px; margin: 0; } h2 { font-size: 15px; margin: 16px 0 4px; } .sub { color: #57606a; margin: 4px 0; }
main { display: flex; gap: 24px; align-items: flex-start; }
#charts { flex: 1 1 auto; min-width: 0; } #stats { flex: 0 0 auto; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th { text-align: left; font-weight: normal; color: #57606a; padding: 1px 16px 1px 0; }
td { text-align: right; padding: 1px 0; } td.neg { color: #cf222e; } td.na { color: #8c959f; }
#trades table th, #trades table td { padding: 1px 10px; } #trades td.l { text-align: left; }
@media (max-width: 900px) { main { flex-direction: column; } }
`;

// Runs in the browser. Plain ES2017, no imports: uPlot is the global defined by the inlined build.
const PAGE_JS = `
(function () {
  var d = JSON.parse(document.getElementById("report-data").textContent);
  var box = document.getElementById("charts");
  var width = function () { return Math.max(320, box.clientWidth); };
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); };
  // Points only (no line). Exits are hollow rings drawn first, so a reversal's entry at the same bar and
  // price shows inside its exit ring instead of being hidden by it.
  var points = function (label, color, size, fill) {
    return { label: label, stroke: color, fill: fill, width: 0, paths: function () { return null; },
      points: { show: true, size: size, width: 2, stroke: color, fill: fill } };
  };
  var charts = [];
  var make = function (id, height, series, data) {
    var opts = { width: width(), height: height, tzDate: utc, cursor: { sync: { key: "report" } },
      scales: { x: { time: true } }, axes: [{}, { size: 80 }], series: [{}].concat(series) };
    charts.push(new uPlot(opts, [d.t].concat(data), document.getElementById(id)));
  };
  make("equity", 260, [{ label: "Equity", stroke: "#0969da", width: 1.5 }], [d.equity]);
  make("drawdown", 140, [{ label: "Drawdown %", stroke: "#cf222e", fill: "rgba(207,34,46,0.15)", width: 1 }],
    [d.drawdown]);
  var price = [{ label: "Close", stroke: "#57606a", width: 1 }];
  var cols = [d.close];
  if (d.high && d.low) {
    price.push({ label: "High", stroke: "rgba(87,96,106,0.3)", width: 1 });
    price.push({ label: "Low", stroke: "rgba(87,96,106,0.3)", width: 1 });
    cols.push(d.high, d.low);
  }
  price.push(points("Exit", "#0969da", 13, "#ffffff"), points("Long entry", "#1a7f37", 7, "#1a7f37"),
    points("Short entry", "#cf222e", 7, "#cf222e"));
  cols.push(d.exit, d.longEntry, d.shortEntry);
  make("price", 300, price, cols);
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.setSize({ width: width(), height: c.height }); });
  });
})();
`;

const STRATEGIES_CSS = `#strategies table th, #strategies table td { padding: 1px 10px; }
#strategies tr:first-child th { text-align: right; }
.heatmaps { display: flex; gap: 32px; flex-wrap: wrap; } figure { margin: 4px 0; }
figcaption { color: #57606a; margin-bottom: 4px; }`;

// A portfolio's charts, with the page script's chart options (size, cursor sync, UTC time axis); the page script
// itself stays as it is for one strategy.
const STRATEGIES_JS = `
(function () {
  var d = JSON.parse(document.getElementById("report-data").textContent);
  var box = document.getElementById("charts");
  var width = function () { return Math.max(320, box.clientWidth); };
  var utc = function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); };
  var palette = ["#0969da", "#bf3989", "#1a7f37", "#9a6700", "#8250df", "#cf222e", "#57606a", "#1b7c83"];
  var charts = [];
  var make = function (id, height, labels, t, data, y) {
    var series = labels.map(function (label, i) {
      return { label: label, stroke: palette[i % palette.length], width: 1.5 };
    });
    var scales = { x: { time: true } };
    if (y) scales.y = y;
    var opts = { width: width(), height: height, tzDate: utc, cursor: { sync: { key: "report" } },
      scales: scales, axes: [{}, { size: 80 }], series: [{}].concat(series) };
    charts.push(new uPlot(opts, [t].concat(data), document.getElementById(id)));
  };
  make("strategy-equity", 260, d.strategies.labels, d.t, d.strategies.equity);
  if (d.rolling.labels.length > 0) {
    make("rolling-correlation", 220, d.rolling.labels, d.rolling.t, d.rolling.values, { range: [-1, 1] });
  }
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.setSize({ width: width(), height: c.height }); });
  });
})();
`;
