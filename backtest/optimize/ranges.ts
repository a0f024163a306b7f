/**
 * `--param` parsing: `fast=5..50:5` (inclusive, step), `slow=20..200` (integers step 1), `average=sma,ema`
 * (a list), `mode=long_only` (one fixed value), `k=0.5..3` (a number interval: random search only). Every value
 * is checked against the strategy's schema here, before anything runs, so the error names the parameter and
 * its allowed range.
 */
import { coerceParam, describeRange, ParamError, type ParamSchema, validateParams } from "../../strategies/params.ts";
import type { ParamRange } from "./types.ts";

const NUM = String.raw`[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?`;
const INTERVAL = new RegExp(`^(${NUM})\\.\\.(${NUM})(?::(${NUM}))?$`, "i");
/** Grids larger than this are refused: use random search. */
export const MAX_GRID = 1_000_000;

/** Splits `name=spec`. */
export function splitParamArg(arg: string): { name: string; spec: string } {
  const eq = arg.indexOf("=");
  if (eq <= 0 || eq === arg.length - 1) {
    throw new RangeError(`Cannot parse --param "${arg}": expected name=value, name=a..b[:step] or name=v1,v2`);
  }
  return { name: arg.slice(0, eq).trim(), spec: arg.slice(eq + 1).trim() };
}

/** Decimal places of a number as written, so 0.1 steps give 0.3 and not 0.30000000000000004. */
function decimals(x: number): number {
  const s = String(x);
  const e = s.match(/e-(\d+)$/);
  if (e) return Number(e[1]);
  const dot = s.indexOf(".");
  return dot < 0 ? 0 : s.length - dot - 1;
}

function steps(lo: number, hi: number, step: number): number[] {
  const places = Math.max(decimals(lo), decimals(step));
  const n = Math.floor((hi - lo) / step + 1e-9);
  if (n + 1 > MAX_GRID) throw new RangeError(`${lo}..${hi}:${step} has more than ${MAX_GRID} values`);
  const out: number[] = [];
  for (let i = 0; i <= n; i++) out.push(Number((lo + i * step).toFixed(places)));
  return out;
}

/** Expands one `--param` against the schema and validates every value (throws ParamError or RangeError). */
export function parseParamRange(strategy: string, schema: ParamSchema, arg: string): ParamRange {
  const { name, spec: text } = splitParamArg(arg);
  const spec = schema[name];
  if (!spec) {
    const known = Object.keys(schema).join(", ") || "none";
    throw new ParamError(strategy, name, `is not a parameter of this strategy (parameters: ${known})`);
  }
  const check = (value: unknown) => validateParams(strategy, schema, { [name]: value })[name];
  const interval = text.match(INTERVAL);
  if (interval && (spec.type === "int" || spec.type === "number")) {
    const lo = Number(interval[1]), hi = Number(interval[2]);
    const step = interval[3] === undefined ? undefined : Number(interval[3]);
    if (!(lo <= hi)) throw new ParamError(strategy, name, `range ${text}: the start must not exceed the end`);
    if (step !== undefined && !(step > 0)) throw new ParamError(strategy, name, `range ${text}: the step must be > 0`);
    check(lo);
    check(hi);
    if (step === undefined && spec.type === "number") return { name, kind: "uniform", lo, hi };
    const values = steps(lo, hi, step ?? 1);
    values.forEach(check);
    return { name, kind: "values", values };
  }
  const values = text.split(",").map((v) => {
    const value = coerceParam(spec, v.trim());
    // Name what was typed ("abc"), not the NaN it parses to.
    if (Number.isNaN(value)) throw new ParamError(strategy, name, `must be ${describeRange(spec)}, got "${v.trim()}"`);
    return check(value) as number | string | boolean;
  });
  return { name, kind: "values", values: [...new Set(values)] };
}
