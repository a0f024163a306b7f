/**
 * Request body schemas as data: one object schema per endpoint, checked strictly (unknown fields, wrong types and
 * over-long strings are errors naming the field). Data rather than code, so the same schemas can later generate the
 * OpenAPI document of /api/v1.
 */
import { assertNever } from "../runtime/mod.ts";

export type FieldSchema =
  | {
    readonly type: "string";
    readonly maxLength: number;
    /** A string that is empty or only spaces is refused. */
    readonly nonBlank?: boolean;
  }
  | { readonly type: "boolean" };

export interface ObjectSchema {
  readonly fields: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The body as the handler receives it: only the schema's fields, each of its declared type. */
export type BodyOf = Readonly<Record<string, string | boolean | undefined>>;

function checkField(name: string, schema: FieldSchema, value: unknown): string | undefined {
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") return `"${name}" must be a string, got ${kindOf(value)}`;
      if (value.length > schema.maxLength) {
        return `"${name}" is ${value.length} characters long; at most ${schema.maxLength} are allowed`;
      }
      if (schema.nonBlank && value.trim() === "") return `"${name}" must not be empty`;
      return undefined;
    case "boolean":
      return typeof value === "boolean" ? undefined : `"${name}" must be true or false, got ${kindOf(value)}`;
    default:
      return assertNever(schema);
  }
}

const kindOf = (value: unknown) => value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;

export function checkBody(schema: ObjectSchema, value: unknown): Checked<BodyOf> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return { ok: false, error: `the body must be a JSON object, got ${kindOf(value)}` };
  }
  const raw = value as Record<string, unknown>;
  const known = Object.keys(schema.fields);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(schema.fields, key)) {
      return {
        ok: false,
        error: `unknown field ${JSON.stringify(key)}` + (known.length ? ` (known: ${known.join(", ")})` : ""),
      };
    }
  }
  for (const key of schema.required ?? []) {
    if (raw[key] === undefined) return { ok: false, error: `"${key}" is required` };
  }
  const out: Record<string, string | boolean> = {};
  for (const [key, field] of Object.entries(schema.fields)) {
    if (raw[key] === undefined) continue;
    const error = checkField(key, field, raw[key]);
    if (error) return { ok: false, error };
    out[key] = raw[key] as string | boolean;
  }
  return { ok: true, value: out };
}
