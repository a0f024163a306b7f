/**
 * Request body and path parameter schemas as data: one object schema per endpoint, checked strictly (unknown fields,
 * wrong types, numbers out of range, over-long strings and lists are errors naming the field). Data rather than
 * code, so the same schemas can generate the OpenAPI document of /api/v1.
 */
import { assertNever } from "../runtime/mod.ts";

export type FieldSchema =
  | {
    readonly type: "string";
    readonly maxLength: number;
    /** A string that is empty or only spaces is refused. */
    readonly nonBlank?: boolean;
    /** A regular expression the whole string must match (its source, as in OpenAPI), and what it means. */
    readonly pattern?: { readonly source: string; readonly says: string };
  }
  | { readonly type: "boolean" }
  | {
    readonly type: "number";
    readonly minimum?: number;
    /** Strictly above. */
    readonly exclusiveMinimum?: number;
    readonly maximum?: number;
    readonly integer?: boolean;
    /** null is accepted too (e.g. a limit patch: null removes the limit). */
    readonly nullable?: boolean;
  }
  /** A string (up to maxLength), a finite number or a boolean: a strategy parameter. */
  | { readonly type: "scalar"; readonly maxLength: number }
  | { readonly type: "array"; readonly items: FieldSchema; readonly minItems?: number; readonly maxItems: number }
  /** An object with free keys (matching keyPattern) and values of one schema. */
  | {
    readonly type: "map";
    readonly values: FieldSchema;
    readonly maxProperties: number;
    readonly keyPattern: { readonly source: string; readonly says: string };
  }
  | { readonly type: "object"; readonly schema: ObjectSchema };

export interface ObjectSchema {
  readonly fields: Readonly<Record<string, FieldSchema>>;
  readonly required?: readonly string[];
  /** What the body is for (the OpenAPI description). */
  readonly description?: string;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The body as the handler receives it: only the schema's fields, each of its declared type. */
export type BodyOf = Readonly<Record<string, unknown>>;

const matches = (pattern: { source: string }, value: string) => new RegExp(`^(?:${pattern.source})$`).test(value);

function checkField(name: string, schema: FieldSchema, value: unknown): string | undefined {
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") return `"${name}" must be a string, got ${kindOf(value)}`;
      if (value.length > schema.maxLength) {
        return `"${name}" is ${value.length} characters long; at most ${schema.maxLength} are allowed`;
      }
      if (schema.nonBlank && value.trim() === "") return `"${name}" must not be empty`;
      if (schema.pattern && !matches(schema.pattern, value)) {
        return `"${name}" must be ${schema.pattern.says}, got ${JSON.stringify(value.slice(0, 100))}`;
      }
      return undefined;
    case "boolean":
      return typeof value === "boolean" ? undefined : `"${name}" must be true or false, got ${kindOf(value)}`;
    case "number":
      return numberProblem(name, schema, value);
    case "scalar":
      if (typeof value === "string") return checkField(name, { type: "string", maxLength: schema.maxLength }, value);
      if (typeof value === "boolean" || (typeof value === "number" && Number.isFinite(value))) return undefined;
      return `"${name}" must be a string, a number or true/false, got ${kindOf(value)}`;
    case "array": {
      if (!Array.isArray(value)) return `"${name}" must be a list, got ${kindOf(value)}`;
      if (value.length > schema.maxItems) return `"${name}" has ${value.length} items; at most ${schema.maxItems}`;
      if (value.length < (schema.minItems ?? 0)) return `"${name}" needs at least ${schema.minItems} item(s)`;
      for (const [i, item] of value.entries()) {
        const error = checkField(`${name}[${i}]`, schema.items, item);
        if (error) return error;
      }
      return undefined;
    }
    case "map": {
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return `"${name}" must be an object, got ${kindOf(value)}`;
      }
      const entries = Object.entries(value);
      if (entries.length > schema.maxProperties) {
        return `"${name}" has ${entries.length} fields; at most ${schema.maxProperties}`;
      }
      for (const [key, item] of entries) {
        if (!matches(schema.keyPattern, key)) {
          return `"${name}": key ${JSON.stringify(key.slice(0, 100))} must be ${schema.keyPattern.says}`;
        }
        const error = checkField(`${name}.${key}`, schema.values, item);
        if (error) return error;
      }
      return undefined;
    }
    case "object": {
      const checked = checkBody(schema.schema, value, `${name}.`);
      return checked.ok ? undefined : checked.error;
    }
    default:
      return assertNever(schema);
  }
}

function numberProblem(name: string, rule: Extract<FieldSchema, { type: "number" }>, value: unknown) {
  if (value === null && rule.nullable) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    return `"${name}" must be a number${rule.nullable ? " or null" : ""}, got ${kindOf(value)}`;
  }
  if (rule.integer && !Number.isInteger(value)) return `"${name}" must be a whole number, got ${value}`;
  if (rule.minimum !== undefined && value < rule.minimum) return `"${name}" must be ≥ ${rule.minimum}, got ${value}`;
  if (rule.exclusiveMinimum !== undefined && value <= rule.exclusiveMinimum) {
    return `"${name}" must be > ${rule.exclusiveMinimum}, got ${value}`;
  }
  if (rule.maximum !== undefined && value > rule.maximum) return `"${name}" must be ≤ ${rule.maximum}, got ${value}`;
  return undefined;
}

const kindOf = (value: unknown) => value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;

/** Checks an object against its schema; `prefix` names a nested object's fields ("limits."). */
export function checkBody(schema: ObjectSchema, value: unknown, prefix = ""): Checked<BodyOf> {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    const what = prefix === "" ? "the body" : `"${prefix.slice(0, -1)}"`;
    return { ok: false, error: `${what} must be a JSON object, got ${kindOf(value)}` };
  }
  const raw = value as Record<string, unknown>;
  const known = Object.keys(schema.fields);
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(schema.fields, key)) {
      return {
        ok: false,
        error: `unknown field ${JSON.stringify(prefix + key)}` + (known.length ? ` (known: ${known.join(", ")})` : ""),
      };
    }
  }
  for (const key of schema.required ?? []) {
    if (raw[key] === undefined) return { ok: false, error: `"${prefix}${key}" is required` };
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(schema.fields)) {
    if (raw[key] === undefined) continue;
    const error = checkField(prefix + key, field, raw[key]);
    if (error) return { ok: false, error };
    out[key] = raw[key];
  }
  return { ok: true, value: out };
}

/** Checks a route's path parameters (already decoded) against their schemas. */
export function checkParams(
  schemas: Readonly<Record<string, FieldSchema>>,
  params: Readonly<Record<string, string>>,
): Checked<Readonly<Record<string, string>>> {
  for (const [name, schema] of Object.entries(schemas)) {
    const error = checkField(name, schema, params[name]);
    if (error) return { ok: false, error: `path parameter ${error}` };
  }
  return { ok: true, value: params };
}
