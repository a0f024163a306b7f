/**
 * Data-quality checks on one series of candles, and a readable report.
 *
 * - missing candles: runs of empty slots between consecutive candles (see `timeframe.ts`) that the market's
 *   calendar expected (storage/bars/calendar.ts: 24x7, nyse, sessions), so a closed market is not missing data;
 * - invalid values: NaN or infinite anywhere, non-positive prices or prices above `maxPrice` (default 1e12, the
 *   backtester's limit), negative volume (zero volume is a quiet market);
 * - OHLC inconsistency: high below low, open or close; low above open or close;
 * - duplicate and out-of-order timestamps (in the order given, i.e. file order), and misaligned open times;
 * - outlier spikes: a price that jumps and comes straight back. With r the log returns of the close, a robust z-score
 *   z = 0.6745 (r - median) / MAD (median absolute deviation; the mean absolute deviation × 0.7979 when the MAD is 0,
 *   as in Iglewicz & Hoaglin) flags candle i when |z| exceeds the threshold on both r[i] and r[i+1] with opposite
 *   signs. A single large move that stays is a real move, not a spike.
 */
import type { Candles } from "./columns.ts";
import { sortedUnique } from "./columns.ts";
import { findGaps, type Gap, isAligned, slotOf, slotStart, type StoreTimeframe } from "./timeframe.ts";
import { DEFAULT_MAX_PRICE } from "../bars/validate.ts";
import { type Calendar, expectedBetween } from "../bars/calendar.ts";
import { TIMEFRAME_MS } from "../../actors/protocol/market.ts";

export interface QualityOptions {
  readonly timeframe: StoreTimeframe;
  /** Robust z-score above which a return counts as extreme. Default 12: crypto returns are heavy-tailed. */
  readonly spikeThreshold?: number;
  /** Which candles the market prints (storage/bars/calendar.ts). Default "24x7". */
  readonly calendar?: Calendar;
  /** The older name for `calendar: "sessions"`: weekends (and a holiday beside one) are not gaps. */
  readonly ignoreWeekends?: boolean;
  /** Prices above this are invalid (see DEFAULT_MAX_PRICE). */
  readonly maxPrice?: number;
}

export interface Issue {
  /** Index in the checked input. */
  readonly index: number;
  readonly ts: number;
  readonly detail: string;
}

export interface QualityReport {
  readonly label: string;
  readonly timeframe: StoreTimeframe;
  /** The calendar the gaps were judged by. */
  readonly calendar: Calendar;
  readonly count: number;
  readonly first?: number;
  readonly last?: number;
  readonly gaps: readonly Gap[];
  readonly missing: number;
  readonly invalid: readonly Issue[];
  readonly inconsistent: readonly Issue[];
  readonly duplicates: readonly Issue[];
  readonly outOfOrder: readonly Issue[];
  readonly misaligned: readonly Issue[];
  readonly spikes: readonly Issue[];
}

export function checkCandles(label: string, c: Candles, options: QualityOptions): QualityReport {
  const tf = options.timeframe;
  const invalid: Issue[] = [];
  const inconsistent: Issue[] = [];
  const duplicates: Issue[] = [];
  const outOfOrder: Issue[] = [];
  const misaligned: Issue[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < c.length; i++) {
    const ts = c.ts[i];
    const bad = invalidValues(c, i, options.maxPrice ?? DEFAULT_MAX_PRICE);
    if (bad) invalid.push({ index: i, ts, detail: bad });
    else {
      const why = ohlcProblem(c.open[i], c.high[i], c.low[i], c.close[i]);
      if (why) inconsistent.push({ index: i, ts, detail: why });
    }
    if (seen.has(ts)) duplicates.push({ index: i, ts, detail: "timestamp seen before" });
    else if (i > 0 && ts < c.ts[i - 1]) outOfOrder.push({ index: i, ts, detail: "earlier than the candle before" });
    seen.add(ts);
    if (!isAligned(ts, tf)) misaligned.push({ index: i, ts, detail: `not a ${tf} open time` });
  }
  const sorted = sortedUnique(c);
  const calendar = options.calendar ?? (options.ignoreWeekends ? "sessions" : "24x7");
  const gaps = calendarGaps(sorted.ts, tf, calendar);
  const spikes = findSpikes(sorted, options.spikeThreshold ?? 12);
  return {
    label,
    timeframe: tf,
    calendar,
    count: c.length,
    first: sorted.length ? sorted.ts[0] : undefined,
    last: sorted.length ? sorted.ts[sorted.length - 1] : undefined,
    gaps,
    missing: gaps.reduce((n, g) => n + g.missing, 0),
    invalid,
    inconsistent,
    duplicates,
    outOfOrder,
    misaligned,
    spikes,
  };
}

/** Number of problems found: missing candles count one each. */
export function issueCount(r: QualityReport): number {
  return r.missing + r.invalid.length + r.inconsistent.length + r.duplicates.length + r.outOfOrder.length +
    r.misaligned.length + r.spikes.length;
}

function invalidValues(c: Candles, i: number, maxPrice: number): string | undefined {
  const fields = { open: c.open[i], high: c.high[i], low: c.low[i], close: c.close[i] };
  for (const [name, v] of Object.entries(fields)) {
    if (!Number.isFinite(v)) return `${name} is ${v}`;
    if (v <= 0) return `${name} is ${v}, not positive`;
    if (v > maxPrice) return `${name} is ${v}, above the price limit ${maxPrice}`;
  }
  if (!Number.isFinite(c.volume[i])) return `volume is ${c.volume[i]}`;
  if (c.volume[i] < 0) return `volume is negative (${c.volume[i]})`;
  if (!Number.isFinite(c.ts[i])) return `timestamp is ${c.ts[i]}`;
  return undefined;
}

function ohlcProblem(o: number, h: number, l: number, c: number): string | undefined {
  if (h < l) return `high ${h} is below low ${l}`;
  if (h < Math.max(o, c)) return `high ${h} is below ${o > c ? "open" : "close"} ${Math.max(o, c)}`;
  if (l > Math.min(o, c)) return `low ${l} is above ${o < c ? "open" : "close"} ${Math.min(o, c)}`;
  return undefined;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Robust z-scores of the close's log returns; `r[k]` is the return into candle k+1. */
export function robustZ(close: ArrayLike<number>): number[] {
  const r: number[] = [];
  for (let i = 1; i < close.length; i++) {
    r.push(close[i] > 0 && close[i - 1] > 0 ? Math.log(close[i] / close[i - 1]) : 0);
  }
  if (r.length < 3) return r.map(() => 0);
  const med = median(r);
  const dev = r.map((x) => Math.abs(x - med));
  const mad = median(dev);
  const scale = mad > 0 ? mad / 0.6745 : dev.reduce((a, b) => a + b, 0) / dev.length / 0.7979;
  return scale > 0 ? r.map((x) => (x - med) / scale) : r.map(() => 0);
}

function findSpikes(c: Candles, threshold: number): Issue[] {
  const z = robustZ(c.close);
  const spikes: Issue[] = [];
  for (let k = 0; k + 1 < z.length; k++) {
    if (Math.abs(z[k]) > threshold && Math.abs(z[k + 1]) > threshold && Math.sign(z[k]) !== Math.sign(z[k + 1])) {
      const i = k + 1;
      const detail = `close ${c.close[i]} between ${c.close[i - 1]} and ${c.close[i + 1]} (robust z ${
        z[k].toFixed(1)
      })`;
      spikes.push({ index: i, ts: c.ts[i], detail });
    }
  }
  return spikes;
}

/** The empty slots the calendar expected candles in; monthly candles have no calendar but the months. */
function calendarGaps(ts: ArrayLike<number>, tf: StoreTimeframe, calendar: Calendar): Gap[] {
  const gaps = findGaps(ts, tf);
  if (calendar === "24x7" || tf === "1M") return gaps;
  const out: Gap[] = [];
  for (const g of gaps) {
    const before = slotStart(slotOf(g.start, tf) - 1, tf);
    const missing = expectedBetween(calendar, before, g.end, TIMEFRAME_MS[tf]);
    if (missing > 0) out.push({ ...g, missing });
  }
  return out;
}

const iso = (ts: number) => new Date(ts).toISOString().replace("T", " ").replace(/:00\.000Z$|\.000Z$/, "");

/** Plain text, one section per kind of problem, at most `maxListed` examples each. */
export function formatReport(r: QualityReport, maxListed = 5): string {
  const span = r.first === undefined ? "no candles" : `${iso(r.first)} → ${iso(r.last!)} UTC`;
  const out = [`${r.label} (${r.timeframe}): ${r.count} candles, ${span}`];
  const section = (title: string, issues: readonly Issue[]) => {
    if (issues.length === 0) return;
    out.push(`  ${title}: ${issues.length}`);
    for (const it of issues.slice(0, maxListed)) out.push(`    #${it.index} ${iso(it.ts)}: ${it.detail}`);
    if (issues.length > maxListed) out.push(`    … and ${issues.length - maxListed} more`);
  };
  if (r.gaps.length > 0) {
    const gaps = `${r.gaps.length} gap${r.gaps.length > 1 ? "s" : ""}`;
    out.push(`  missing candles: ${r.missing} in ${gaps} (${r.calendar} calendar)`);
    for (const g of r.gaps.slice(0, maxListed)) out.push(`    ${iso(g.start)} up to ${iso(g.end)}: ${g.missing}`);
    if (r.gaps.length > maxListed) out.push(`    … and ${r.gaps.length - maxListed} more gaps`);
  }
  section("invalid values", r.invalid);
  section("OHLC inconsistent", r.inconsistent);
  section("duplicate timestamps", r.duplicates);
  section("out-of-order timestamps", r.outOfOrder);
  section("misaligned timestamps", r.misaligned);
  section("outlier spikes", r.spikes);
  const n = issueCount(r);
  out.push(n === 0 ? "  OK: no problems found" : `  ${n} problem${n > 1 ? "s" : ""} found`);
  return out.join("\n");
}
