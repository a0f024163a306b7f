/**
 * Small validation helpers for plain-data configs (the live config file, limits changed at run time): numbers in a
 * range, and "did you mean …?" for misspelt keys. Each returns why a value is wrong (or undefined), so a caller can
 * collect every problem before it reports.
 */

/** A number's valid range; `above`/`below` exclude the bound itself. */
export interface NumberRule {
  readonly min?: number;
  readonly above?: number;
  readonly max?: number;
  readonly below?: number;
  readonly integer?: boolean;
  /** What the number means, shown after the range: "a fraction of notional: 0.001 is 0.1 %". */
  readonly hint?: string;
}

/** "a whole number ≥ 0 and ≤ 65535": the rule in words. */
export function describeRule(rule: NumberRule): string {
  const bounds = [
    rule.min !== undefined ? `≥ ${rule.min}` : rule.above !== undefined ? `> ${rule.above}` : "",
    rule.max !== undefined ? `≤ ${rule.max}` : rule.below !== undefined ? `< ${rule.below}` : "",
  ].filter((b) => b !== "");
  const what = `${rule.integer ? "a whole number" : "a number"}${bounds.length ? ` ${bounds.join(" and ")}` : ""}`;
  return rule.hint ? `${what} (${rule.hint})` : what;
}

/** Why `value` breaks `rule`, or undefined when it fits. JSON's 1e999 parses to Infinity: not finite, refused. */
export function numberProblem(value: unknown, rule: NumberRule): string | undefined {
  const fits = typeof value === "number" && Number.isFinite(value) &&
    (!rule.integer || Number.isInteger(value)) &&
    (rule.min === undefined || value >= rule.min) && (rule.above === undefined || value > rule.above) &&
    (rule.max === undefined || value <= rule.max) && (rule.below === undefined || value < rule.below);
  return fits ? undefined : `must be ${describeRule(rule)}, got ${show(value)}`;
}

/** A value as the file spells it (JSON), with the non-JSON numbers named. */
export function show(value: unknown): string {
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

/** Levenshtein distance: insertions, deletions and substitutions, each costing 1. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length];
}

/**
 * The candidate closest to `word` (ignoring case), when it is close enough to be a likely typo: at most a third of
 * the candidate's length away (at least 2) and not a complete rewrite, so `maxPositon` finds `maxPositionQty` but
 * `db` does not find `id`.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    const likely = d <= Math.max(2, Math.ceil(candidate.length / 3)) && d < word.length && d < candidate.length;
    if (likely && d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/** The message for a key that is not one of `known`. */
export function unknownKey(key: string, known: readonly string[]): string {
  const guess = closest(key, known);
  return guess === undefined ? `unknown field (known: ${known.join(", ")})` : `unknown field; did you mean "${guess}"?`;
}
