/**
 * Bounds a JSON document before it is served or pushed: long strings are cut, long lists keep their newest (last)
 * items, deep nesting is elided; and a document still too large after that is replaced by a short error. One
 * oversized field (a 10 MB reason) then costs a few kilobytes per push, not megabytes per client per second.
 */

export interface ClipLimits {
  readonly maxString: number;
  readonly maxItems: number;
  readonly maxDepth: number;
  readonly maxBytes: number;
}

export const DEFAULT_CLIP: ClipLimits = { maxString: 1_000, maxItems: 500, maxDepth: 8, maxBytes: 1_000_000 };

export function clip(value: unknown, limits: ClipLimits, depth = 0): unknown {
  if (typeof value === "string") {
    return value.length > limits.maxString ? `${value.slice(0, limits.maxString)}… (${value.length} chars)` : value;
  }
  if (value === null || typeof value !== "object") return value;
  if (depth >= limits.maxDepth) return "… (nested too deep)";
  if (Array.isArray(value)) {
    const kept = value.length > limits.maxItems ? value.slice(-limits.maxItems) : value;
    return kept.map((v) => clip(v, limits, depth + 1));
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (++n > limits.maxItems) {
      out["…"] = `${Object.keys(value).length - limits.maxItems} more keys`;
      break;
    }
    out[k] = clip(v, limits, depth + 1);
  }
  return out;
}

/** The clipped document as JSON text, never longer than `maxBytes` (UTF-16 units bound the UTF-8 bytes by 3×). */
export function boundedJson(value: unknown, limits: ClipLimits = DEFAULT_CLIP): string {
  const text = JSON.stringify(clip(value, limits));
  if (text.length * 3 <= limits.maxBytes || new TextEncoder().encode(text).byteLength <= limits.maxBytes) return text;
  return JSON.stringify({ error: `document too large (${text.length} characters after clipping); ask for less` });
}
