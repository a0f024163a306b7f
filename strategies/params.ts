/** Parameter schemas: defaults and ranges as data, the TypeScript type derived from them, one validator. */

export type ParamSpec =
  | {
    readonly type: "int" | "number";
    readonly default: number;
    readonly min?: number;
    readonly max?: number;
    readonly description?: string;
  }
  | { readonly type: "boolean"; readonly default: boolean; readonly description?: string }
  | {
    readonly type: "enum";
    readonly values: readonly string[];
    readonly default: string;
    readonly description?: string;
  }
  | { readonly type: "string"; readonly default: string; readonly description?: string };

export type ParamSchema = Readonly<Record<string, ParamSpec>>;

export type ParamValue<S extends ParamSpec> = S extends { type: "int" | "number" } ? number
  : S extends { type: "boolean" } ? boolean
  : S extends { type: "enum"; values: readonly (infer V)[] } ? V
  : string;

export type Params<P extends ParamSchema> = { readonly [K in keyof P]: ParamValue<P[K]> };

export class ParamError extends Error {
  constructor(readonly strategy: string, readonly param: string, why: string) {
    super(`strategy "${strategy}": parameter "${param}" ${why}`);
    this.name = "ParamError";
  }
}

export function describeRange(spec: ParamSpec): string {
  switch (spec.type) {
    case "int":
    case "number": {
      const kind = spec.type === "int" ? "an integer" : "a number";
      if (spec.min !== undefined && spec.max !== undefined) return `${kind} in [${spec.min}, ${spec.max}]`;
      if (spec.min !== undefined) return `${kind} ≥ ${spec.min}`;
      if (spec.max !== undefined) return `${kind} ≤ ${spec.max}`;
      return kind;
    }
    case "boolean":
      return "true or false";
    case "enum":
      return `one of ${spec.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "string":
      return "a string";
  }
}

/** Parses a command-line or config value ("12", "true", "ema") to the spec's type. */
export function coerceParam(spec: ParamSpec, raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  switch (spec.type) {
    case "int":
    case "number":
      return raw.trim() === "" ? raw : Number(raw);
    case "boolean":
      return raw === "true" ? true : raw === "false" ? false : raw;
    default:
      return raw;
  }
}

/**
 * Fills defaults and checks every value against its spec, then the cross-parameter constraint.
 * Unknown parameter names are errors (a typo must not silently run the default).
 */
export function validateParams<P extends ParamSchema>(
  strategy: string,
  schema: P,
  raw: Readonly<Record<string, unknown>> | undefined,
  constraint?: (params: Params<P>) => string | undefined,
): Params<P> {
  const out: Record<string, unknown> = {};
  for (const name of Object.keys(raw ?? {})) {
    if (!(name in schema)) {
      const known = Object.keys(schema).join(", ") || "none";
      throw new ParamError(strategy, name, `is not a parameter of this strategy (parameters: ${known})`);
    }
  }
  for (const [name, spec] of Object.entries(schema)) {
    const given = raw && name in raw ? raw[name] : spec.default;
    const value = coerceParam(spec, given);
    const allowed = describeRange(spec);
    const got = `got ${shown(given, value)}`;
    switch (spec.type) {
      case "int":
      case "number": {
        const ok = typeof value === "number" && Number.isFinite(value) &&
          (spec.type === "number" || Number.isInteger(value)) &&
          (spec.min === undefined || value >= spec.min) && (spec.max === undefined || value <= spec.max);
        if (!ok) throw new ParamError(strategy, name, `must be ${allowed}, ${got}`);
        break;
      }
      case "boolean":
        if (typeof value !== "boolean") throw new ParamError(strategy, name, `must be ${allowed}, ${got}`);
        break;
      case "enum":
        if (typeof value !== "string" || !spec.values.includes(value)) {
          throw new ParamError(strategy, name, `must be ${allowed}, ${got}`);
        }
        break;
      case "string":
        if (typeof value !== "string") throw new ParamError(strategy, name, `must be a string, ${got}`);
        break;
    }
    out[name] = value;
  }
  const params = out as Params<P>;
  const problem = constraint?.(params);
  if (problem) throw new ParamError(strategy, problem.split(" ")[0], problem.slice(problem.indexOf(" ") + 1));
  return params;
}

/**
 * The value as the user gave it: text that is not a number stays text (`"abc"`, not the NaN it became), and numbers
 * JSON cannot write (NaN, Infinity) are spelled out rather than shown as null.
 */
function shown(given: unknown, value: unknown): string {
  if (typeof given === "string" && typeof value === "number" && Number.isNaN(value)) return JSON.stringify(given);
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value);
}
