/**
 * Field readers for the live config file. Each reads one value at a JSON path; a bad value is recorded in the
 * problem list (path and why) and a placeholder is returned, so parsing goes on and every mistake in the file is
 * reported at once. A caller that finds problems must throw before it uses any value.
 */
import { numberProblem, type NumberRule, show, unknownKey } from "../runtime/validate.ts";

export interface Problem {
  /** JSON path in the file: `control.port`, `strategies[1].limits.maxLoss`; "" for the whole file. */
  readonly field: string;
  readonly why: string;
}

export type Problems = Problem[];

/** Every problem found in a config file, each with its JSON path; `field` is the first one's. */
export class LiveConfigError extends Error {
  override name = "LiveConfigError";
  readonly field: string;
  constructor(readonly problems: readonly Problem[], source?: string) {
    const where = source ? ` in ${source}` : "";
    const count = problems.length === 1 ? "1 problem" : `${problems.length} problems`;
    const lines = problems.map((p) => `  ${p.field || "(the file)"}: ${p.why}`);
    super(`Invalid config${where} (${count}):\n${lines.join("\n")}`);
    this.field = problems[0]?.field ?? "";
  }
}

export type Raw = Record<string, unknown>;

export const at = (parent: string, key: string): string => (parent ? `${parent}.${key}` : key);

export function obj(p: Problems, value: unknown, field: string, optional = false): Raw {
  if (value === undefined && optional) return {};
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    p.push({ field, why: value === undefined ? "required (an object)" : `must be an object, got ${show(value)}` });
    return {};
  }
  return value as Raw;
}

export function list(p: Problems, value: unknown, field: string, what: string): unknown[] {
  if (!Array.isArray(value) || value.length === 0) {
    const got = value === undefined ? "" : `, got ${show(value)}`;
    p.push({ field, why: `needs a list of at least one ${what}${got}` });
    return [];
  }
  return value;
}

export function str(p: Problems, value: unknown, field: string, fallback?: string): string {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== "string" || value.length === 0) {
    p.push({ field, why: value === undefined ? "required" : `must be a non-empty string, got ${show(value)}` });
    return "";
  }
  return value;
}

/** NaN when invalid: comparisons with NaN are false, so checks that combine fields stay quiet about it. */
export function num(p: Problems, value: unknown, field: string, rule: NumberRule, fallback?: number): number {
  if (value === undefined && fallback !== undefined) return fallback;
  const why = numberProblem(value, rule);
  if (why !== undefined) {
    p.push({ field, why });
    return NaN;
  }
  return value as number;
}

export function bool(p: Problems, value: unknown, field: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") {
    p.push({ field, why: `must be true or false, got ${show(value)}` });
    return fallback;
  }
  return value;
}

export function oneOf<T extends string>(
  p: Problems,
  value: unknown,
  field: string,
  choices: readonly T[],
  fallback?: T,
): T | undefined {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (choices as readonly string[]).includes(value)) return value as T;
  p.push({ field, why: `must be ${choices.map((c) => `"${c}"`).join(" or ")}, got ${show(value)}` });
  return undefined;
}

/** Every key that is not in `keys` is a problem, with the closest known key as a suggestion. */
export function known(p: Problems, raw: Raw, field: string, keys: readonly string[]): void {
  for (const key of Object.keys(raw)) {
    if (!keys.includes(key)) p.push({ field: at(field, key), why: unknownKey(key, keys) });
  }
}

export const HTTP = ["http:", "https:"];

/** A URL with one of `protocols` (`["http:", "https:"]`): a webhook to `file:///etc/passwd` is refused. */
export function url(p: Problems, value: unknown, field: string, protocols: readonly string[]): string {
  const text = str(p, value, field);
  if (text === "") return text;
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    p.push({ field, why: `not a URL: ${show(text)}` });
    return "";
  }
  if (!protocols.includes(parsed.protocol)) {
    const allowed = protocols.map((s) => `${s}//`).join(" or ");
    p.push({ field, why: `must be an ${allowed} URL, got ${show(text)}` });
    return "";
  }
  return text;
}

const LABEL = /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** Why a name to listen on is not an IPv4 address, an IPv6 address or a DNS host name; undefined when it is one. */
export function hostnameProblem(name: string): string | undefined {
  if (name.includes(":")) {
    if (name.startsWith("[")) return "an IPv6 address without brackets (::1, not [::1])";
    try {
      new URL(`http://[${name}]/`);
      return undefined;
    } catch {
      return "not a valid IPv6 address";
    }
  }
  const labels = name.split(".");
  if (labels.every((l) => /^\d+$/.test(l))) {
    return labels.length === 4 && labels.every((l) => Number(l) <= 255) ? undefined : "not a valid IPv4 address";
  }
  if (name.length > 253 || !labels.every((l) => LABEL.test(l))) {
    return "not a valid host name (letters, digits and -, dot-separated) or IP address";
  }
  return undefined;
}

export function hostname(p: Problems, value: unknown, field: string, fallback: string): string {
  const name = str(p, value, field, fallback);
  const why = name === "" ? undefined : hostnameProblem(name);
  if (why !== undefined) p.push({ field, why: `${why}, got ${show(name)}` });
  return name;
}
