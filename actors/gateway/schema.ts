/**
 * Schemas as data: the request bodies, query strings and path parameters of the control API are checked strictly
 * against them (unknown fields, wrong types, over-long strings and out-of-range numbers are errors naming the
 * field), and the same schemas, with the response schemas, generate the OpenAPI document (openapi.ts). One source
 * of truth: what the document promises is what the pipeline enforces.
 */
import { assertNever } from "../runtime/mod.ts";
import { numberProblem, type NumberRule } from "../runtime/validate.ts";

interface Described {
  /** Shown in the OpenAPI document. */
  readonly description?: string;
}

export type Schema =
  | StringSchema
  | NumberSchema
  | (Described & { readonly type: "boolean" })
  | (Described & { readonly type: "null" })
  | (ObjectSchema & { readonly type: "object" })
  | (Described & {
    readonly type: "array";
    readonly items: Schema;
    readonly minItems?: number;
    readonly maxItems?: number;
  })
  /** Exactly one alternative; `tag` names a string field whose `enum` tells the alternatives apart. */
  | (Described & { readonly type: "oneOf"; readonly of: readonly Schema[]; readonly tag?: string })
  | (Described & { readonly type: "nullable"; readonly of: Schema })
  /** Any JSON value (free-form parts of responses). */
  | (Described & { readonly type: "any" });

export interface StringSchema extends Described {
  readonly type: "string";
  readonly maxLength: number;
  /** A string that is empty or only spaces is refused. */
  readonly nonBlank?: boolean;
  /** An ECMAScript regular expression the whole string must match (anchor it). */
  readonly pattern?: string;
  readonly enum?: readonly string[];
  readonly format?: "date-time" | "uri";
}

/** A number within a rule (runtime/validate.ts): the config file, SetLimits and the API share the words. */
export type NumberSchema = Described & NumberRule & { readonly type: "number" };

export interface ObjectSchema extends Described {
  readonly fields: Readonly<Record<string, Schema>>;
  readonly required?: readonly string[];
  /** Keys beyond `fields` are allowed and checked against this (a map); absent: unknown keys are errors. */
  readonly additional?: Schema;
  /** With `additional`: what every key must be (its length, its pattern), and how many keys at most. */
  readonly keys?: StringSchema;
  readonly maxProperties?: number;
}

export type Checked<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: string };

/** The body (or query) as the handler receives it: only the schema's fields, each checked. */
export type BodyOf = Readonly<Record<string, unknown>>;

const kindOf = (value: unknown) => value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;

const patterns = new Map<string, RegExp>();
const regex = (pattern: string) => {
  let re = patterns.get(pattern);
  if (!re) patterns.set(pattern, re = new RegExp(pattern, "u"));
  return re;
};

/** Why `value` does not fit `schema` (the message names `at`, the field's path), or undefined when it fits. */
export function problem(schema: Schema, value: unknown, at: string): string | undefined {
  const name = `"${at}"`;
  switch (schema.type) {
    case "string":
      if (typeof value !== "string") return `${name} must be a string, got ${kindOf(value)}`;
      if (value.length > schema.maxLength) {
        return `${name} is ${value.length} characters long; at most ${schema.maxLength} are allowed`;
      }
      if (schema.nonBlank && value.trim() === "") return `${name} must not be empty`;
      if (schema.enum && !schema.enum.includes(value)) {
        return `${name} must be one of ${schema.enum.join(", ")}, got ${JSON.stringify(value.slice(0, 100))}`;
      }
      if (schema.pattern !== undefined && !regex(schema.pattern).test(value)) {
        return `${name} must match ${schema.pattern}, got ${JSON.stringify(value.slice(0, 100))}`;
      }
      return undefined;
    case "number": {
      const why = numberProblem(value, schema);
      return why === undefined ? undefined : `${name} ${why}`;
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : `${name} must be true or false, got ${kindOf(value)}`;
    case "null":
      return value === null ? undefined : `${name} must be null, got ${kindOf(value)}`;
    case "object":
      return objectProblem(schema, value, `${at}.`);
    case "array":
      if (!Array.isArray(value)) return `${name} must be an array, got ${kindOf(value)}`;
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        return `${name} has ${value.length} items; at most ${schema.maxItems} are allowed`;
      }
      if (schema.minItems !== undefined && value.length < schema.minItems) {
        return `${name} needs at least ${schema.minItems} item(s), got ${value.length}`;
      }
      for (let i = 0; i < value.length; i++) {
        const why = problem(schema.items, value[i], `${at}[${i}]`);
        if (why) return why;
      }
      return undefined;
    case "oneOf":
      return oneOfProblem(schema, value, at);
    case "nullable":
      return value === null ? undefined : problem(schema.of, value, at);
    case "any":
      return undefined;
    default:
      return assertNever(schema);
  }
}

function oneOfProblem(schema: Extract<Schema, { type: "oneOf" }>, value: unknown, at: string): string | undefined {
  const tag = schema.tag;
  if (tag !== undefined && value !== null && typeof value === "object" && !Array.isArray(value)) {
    const given = (value as Record<string, unknown>)[tag];
    const tags: string[] = [];
    for (const alternative of schema.of) {
      const allowed = alternative.type === "object" ? alternative.fields[tag] : undefined;
      const names = allowed?.type === "string" ? allowed.enum ?? [] : [];
      tags.push(...names);
      if (typeof given === "string" && names.includes(given)) return problem(alternative, value, at);
    }
    return `"${at}.${tag}" must be one of ${tags.join(", ")}, got ${JSON.stringify(given) ?? "nothing"}`;
  }
  const whys: string[] = [];
  for (const alternative of schema.of) {
    const why = problem(alternative, value, at);
    if (why === undefined) return undefined;
    whys.push(why);
  }
  return whys.join("; or ");
}

/** `prefix` is "" for a body (fields named as they are) and "a." inside field a. */
function objectProblem(schema: ObjectSchema, value: unknown, prefix: string): string | undefined {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return prefix === ""
      ? `the body must be a JSON object, got ${kindOf(value)}`
      : `"${prefix.slice(0, -1)}" must be an object, got ${kindOf(value)}`;
  }
  const raw = value as Record<string, unknown>;
  if (schema.additional === undefined) {
    const known = Object.keys(schema.fields);
    for (const key of Object.keys(raw)) {
      if (!Object.hasOwn(schema.fields, key)) {
        return `unknown field ${JSON.stringify(prefix + key)}` + (known.length ? ` (known: ${known.join(", ")})` : "");
      }
    }
  }
  for (const key of schema.required ?? []) {
    if (raw[key] === undefined) return `"${prefix}${key}" is required`;
  }
  if (schema.additional !== undefined) {
    const keys = Object.keys(raw);
    const what = prefix === "" ? "the body" : `"${prefix.slice(0, -1)}"`;
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) {
      return `${what} has ${keys.length} fields; at most ${schema.maxProperties} are allowed`;
    }
    for (const key of schema.keys ? keys : []) {
      if (Object.hasOwn(schema.fields, key)) continue;
      const why = problem(schema.keys!, key, "key");
      if (why) return `${what}: ${why}`;
    }
  }
  for (const [key, v] of Object.entries(raw)) {
    const field = Object.hasOwn(schema.fields, key) ? schema.fields[key] : schema.additional!;
    const why = problem(field, v, prefix + key);
    if (why) return why;
  }
  return undefined;
}

/** Checks a parsed JSON body against its schema; the value keeps only what the schema allows. */
export function checkBody(schema: ObjectSchema, value: unknown): Checked<BodyOf> {
  const error = objectProblem(schema, value, "");
  return error === undefined ? { ok: true, value: value as BodyOf } : { ok: false, error };
}

/**
 * A query string against an object schema of strings and numbers: each parameter at most once, none unknown, numbers
 * written as decimal numbers. The value holds the converted parameters.
 */
export function checkQuery(schema: ObjectSchema, params: URLSearchParams): Checked<BodyOf> {
  const out: Record<string, unknown> = {};
  const known = Object.keys(schema.fields);
  for (const [key, text] of params) {
    if (!Object.hasOwn(schema.fields, key)) {
      const list = known.length ? ` (known: ${known.join(", ")})` : " (none are accepted here)";
      return { ok: false, error: `unknown query parameter ${JSON.stringify(key.slice(0, 100))}${list}` };
    }
    if (Object.hasOwn(out, key)) return { ok: false, error: `query parameter "${key}" is given more than once` };
    const field = schema.fields[key];
    let value: unknown = text;
    if (field.type === "number") {
      if (!/^-?\d{1,16}(\.\d{1,16})?$/.test(text)) {
        return { ok: false, error: `"${key}" must be a decimal number, got ${JSON.stringify(text.slice(0, 100))}` };
      }
      value = Number(text);
    }
    const why = problem(field, value, key);
    if (why) return { ok: false, error: why };
    out[key] = value;
  }
  for (const key of schema.required ?? []) {
    if (!Object.hasOwn(out, key)) return { ok: false, error: `query parameter "${key}" is required` };
  }
  return { ok: true, value: out };
}

/** Path parameters (already decoded) against their schemas. */
export function checkParams(
  schemas: Readonly<Record<string, Schema>>,
  params: Readonly<Record<string, string>>,
): string | undefined {
  for (const [key, value] of Object.entries(params)) {
    const schema = schemas[key];
    if (schema) {
      const why = problem(schema, value, key);
      if (why) return why;
    }
  }
  return undefined;
}
