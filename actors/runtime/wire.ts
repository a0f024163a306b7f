/**
 * Plain data as JSON text, for what crosses a Redis stream (envelopes, snapshots): JSON itself, plus tags for what
 * structured clone keeps and JSON loses (Map, Set, typed arrays, non-finite numbers), so an actor restored from a
 * snapshot read back from Redis gets the same values the Worker host would have cloned.
 */

const TYPED = {
  Float64Array,
  Float32Array,
  Int32Array,
  Uint32Array,
  Int16Array,
  Uint16Array,
  Int8Array,
  Uint8Array,
} as const;
type TypedName = keyof typeof TYPED;

function replacer(this: unknown, _key: string, value: unknown): unknown {
  if (typeof value === "number") return Number.isFinite(value) ? value : { $num: String(value) };
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  if (value instanceof Map) return { $map: [...value.entries()] };
  if (value instanceof Set) return { $set: [...value.values()] };
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name as TypedName;
    if (name in TYPED) return { $typed: name, v: Array.from(value as Float64Array) };
  }
  return value;
}

function reviver(_key: string, value: unknown): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const o = value as Record<string, unknown>;
  if ("$num" in o) return Number(o.$num);
  if ("$map" in o) return new Map(o.$map as [unknown, unknown][]);
  if ("$set" in o) return new Set(o.$set as unknown[]);
  if ("$typed" in o && typeof o.$typed === "string" && o.$typed in TYPED) {
    return TYPED[o.$typed as TypedName].from(o.v as number[]);
  }
  return value;
}

export function toWire(value: unknown): string {
  return JSON.stringify(value, replacer);
}

/** Throws a SyntaxError on text that is not JSON. */
export function fromWire<T = unknown>(text: string): T {
  return JSON.parse(text, reviver) as T;
}
