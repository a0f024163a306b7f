// The loader as it was before the byte parser (perf: issue 15), kept as the reference the property test compares with.
/**
 * Decimal parsing straight from the file's text, without slicing a substring per field.
 *
 * Fast path (Clinger): a mantissa below 2^53 divided by an exact power of ten (at most 1e22) is one correctly
 * rounded IEEE operation, so the result is bit-identical to `Number(text)`. Anything else (exponents, long
 * mantissas, spaces) falls back to `Number` on a validated slice.
 */

const POW10: number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NON_FINITE = /^([+-]?)(nan|inf|infinity)$/i;

/** Parses `text[start, end)`; returns NaN when unparsable (use `isNonFiniteLiteral` to tell "NaN" from garbage). */
export function parseNumber(text: string, start: number, end: number): number {
  let i = start;
  let c = text.charCodeAt(i);
  const negative = c === 45; // '-'
  if (negative || c === 43) i++; // '+'
  let mantissa = 0;
  let digits = 0;
  let scale = 0;
  let dot = false;
  for (; i < end; i++) {
    c = text.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (dot) scale++;
    } else if (c === 46 && !dot) {
      dot = true;
    } else {
      break;
    }
  }
  if (i !== end || digits === 0 || mantissa > Number.MAX_SAFE_INTEGER || scale > 22) {
    return parseSlow(text.slice(start, end));
  }
  const value = scale === 0 ? mantissa : mantissa / POW10[scale];
  return negative ? -value : value;
}

function parseSlow(raw: string): number {
  const s = raw.trim();
  if (DECIMAL.test(s)) return Number(s);
  const m = NON_FINITE.exec(s);
  if (m === null) return NaN;
  if (m[2].toLowerCase() === "nan") return NaN;
  return m[1] === "-" ? -Infinity : Infinity;
}

/** True when the text spells NaN or Infinity: a number that is present but not finite, rather than garbage. */
export function isNonFiniteLiteral(raw: string): boolean {
  return NON_FINITE.test(raw.trim());
}
