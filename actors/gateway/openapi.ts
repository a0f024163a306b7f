/**
 * The OpenAPI 3.1 document of the control endpoint, generated from the routes' data: the schemas that check bodies,
 * queries and path parameters are the ones published, and every error the pipeline may answer before a handler runs
 * is listed from what the route declares (server.ts's order: 429 rate, 421 host, 403 origin, 415 content type,
 * 401/403 credentials, 400/408/413 body). Served at GET /api/v1/openapi.json.
 */
import { assertNever } from "../runtime/mod.ts";
import { SESSION_COOKIE } from "./auth.ts";
import { ERROR } from "./api_schemas.ts";
import type { ResponseDoc, Route } from "./router.ts";
import type { Schema } from "./schema.ts";

export type JsonSchema = Record<string, unknown>;

const described = (schema: { readonly description?: string }) =>
  schema.description ? { description: schema.description } : {};

/** A schema of schema.ts as JSON Schema 2020-12 (what OpenAPI 3.1 uses). */
export function toJsonSchema(schema: Schema): JsonSchema {
  switch (schema.type) {
    case "string":
      return {
        type: "string",
        maxLength: schema.maxLength,
        ...(schema.nonBlank ? { minLength: 1 } : {}),
        ...(schema.pattern !== undefined ? { pattern: schema.pattern } : schema.nonBlank ? { pattern: "\\S" } : {}),
        ...(schema.enum ? { enum: [...schema.enum] } : {}),
        ...(schema.format ? { format: schema.format } : {}),
        ...described(schema),
      };
    case "number":
      return {
        type: schema.integer ? "integer" : "number",
        ...(schema.min !== undefined ? { minimum: schema.min } : {}),
        ...(schema.above !== undefined ? { exclusiveMinimum: schema.above } : {}),
        ...(schema.max !== undefined ? { maximum: schema.max } : {}),
        ...(schema.below !== undefined ? { exclusiveMaximum: schema.below } : {}),
        ...(schema.description ?? schema.hint ? { description: schema.description ?? schema.hint } : {}),
      };
    case "boolean":
    case "null":
      return { type: schema.type, ...described(schema) };
    case "object":
      return {
        type: "object",
        properties: Object.fromEntries(Object.entries(schema.fields).map(([k, v]) => [k, toJsonSchema(v)])),
        ...(schema.required?.length ? { required: [...schema.required] } : {}),
        additionalProperties: schema.additional ? toJsonSchema(schema.additional) : false,
        ...(schema.additional && schema.keys ? { propertyNames: toJsonSchema(schema.keys) } : {}),
        ...(schema.additional && schema.maxProperties !== undefined ? { maxProperties: schema.maxProperties } : {}),
        ...described(schema),
      };
    case "array":
      return {
        type: "array",
        items: toJsonSchema(schema.items),
        ...(schema.minItems !== undefined ? { minItems: schema.minItems } : {}),
        ...(schema.maxItems !== undefined ? { maxItems: schema.maxItems } : {}),
        ...described(schema),
      };
    case "oneOf":
      return { oneOf: schema.of.map(toJsonSchema), ...described(schema) };
    case "nullable":
      return { anyOf: [toJsonSchema(schema.of), { type: "null" }], ...described(schema) };
    case "any":
      return { ...described(schema) };
    default:
      return assertNever(schema);
  }
}

const error = (description: string): ResponseDoc => ({ description, schema: ERROR });

/** The answers the pipeline may give before the route's handler runs, from the route's data. */
function pipelineResponses(route: Route, readsProtected: boolean): Record<number, ResponseDoc> {
  const out: Record<number, ResponseDoc> = {
    421: error("the Host header is not one of the daemon's names"),
    403: error("a browser's Origin is not allowed"),
  };
  if (!route.unmetered) out[429] = error("too many requests from this client; see Retry-After");
  if (route.params) out[404] = error("a path parameter is empty");
  if (route.query || route.params || route.body) out[400] = error("a parameter or the body is not acceptable");
  if (route.access === "admin" || (route.access === "read" && readsProtected)) {
    out[401] = error("no credential, or not a valid one");
  }
  if (route.access === "admin") {
    out[403] = error("a read-only credential, no admin token configured, a cross-site request or a foreign Origin");
  }
  if (route.mutating) {
    out[415] = error("the Content-Type is not application/json");
    out[403] ??= error("a cross-site request or a foreign Origin");
  }
  if (route.body) {
    out[408] = error("the body did not arrive in time");
    out[413] = error("the body is larger than the limit (64 KB)");
  }
  return out;
}

const operationId = (route: Route) =>
  route.method.toLowerCase() +
  route.path.split("/").filter(Boolean).map((part) => part.replace(/[{}]/g, "").replace(/[^A-Za-z0-9]/g, "_"))
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join("") +
  (route.path === "/" ? "Root" : "");

function operation(route: Route, readsProtected: boolean, aliasOf: string | undefined): JsonSchema {
  const params = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
  const parameters = [
    ...params.map((name) => ({
      name,
      in: "path",
      required: true,
      schema: toJsonSchema(route.params?.[name] ?? { type: "string", maxLength: 200 }),
    })),
    ...Object.entries(route.query?.fields ?? {}).map(([name, schema]) => ({
      name,
      in: "query",
      required: route.query?.required?.includes(name) ?? false,
      schema: toJsonSchema(schema),
      ...described(schema),
    })),
  ];
  const responses: Record<string, JsonSchema> = {};
  const all = { ...pipelineResponses(route, readsProtected), ...route.responses };
  for (const [status, doc] of Object.entries(all).sort(([a], [b]) => Number(a) - Number(b))) {
    if (!doc) continue;
    responses[status] = {
      description: doc.description,
      ...(doc.schema
        ? { content: { [doc.contentType ?? "application/json"]: { schema: toJsonSchema(doc.schema) } } }
        : {}),
      ...(!doc.schema && doc.contentType ? { content: { [doc.contentType]: {} } } : {}),
      ...(status === "429" ? { headers: { "Retry-After": { schema: { type: "integer" } } } } : {}),
    };
  }
  const anyone = [{ bearer: [] }, { session: [] }, {}];
  const security = route.access === "public"
    ? []
    : route.access === "read" && !readsProtected
    ? anyone
    : [{ bearer: [] }, { session: [] }];
  return {
    operationId: operationId(route),
    ...(route.summary ? { summary: route.summary } : {}),
    ...(aliasOf ? { description: `Old path of ${aliasOf}.` } : {}),
    ...(route.tag ? { tags: [route.tag] } : {}),
    ...(route.deprecated ? { deprecated: true } : {}),
    ...(parameters.length ? { parameters } : {}),
    ...(route.body
      ? {
        requestBody: {
          required: route.emptyBody === undefined,
          content: { "application/json": { schema: toJsonSchema({ type: "object", ...route.body }) } },
        },
      }
      : {}),
    responses,
    security,
  };
}

export interface OpenApiOptions {
  readonly readsProtected: boolean;
  readonly version: string;
}

export function openApiDocument(routes: readonly Route[], options: OpenApiOptions): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    // An old alias names the route of the same handler under /api/v1 (same method, same summary).
    const current = route.deprecated
      ? routes.find((r) => !r.deprecated && r.method === route.method && r.summary === route.summary)?.path
      : undefined;
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route, options.readsProtected, current);
  }
  const tags = [...new Set(routes.map((r) => r.tag).filter((t): t is string => t !== undefined))];
  return {
    openapi: "3.1.0",
    info: {
      title: "tradeactor control API",
      version: options.version,
      description: "The daemon's operator API: system, strategies, positions, orders, trades, performance, risk, " +
        "and WebSocket channels (GET with an Upgrade: each message is { v: 1, type, channel, … }, a snapshot first). " +
        'Security model: deploy/README.md, "Control endpoint security".',
    },
    servers: [{ url: "/" }],
    tags: tags.map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "TRADEACTOR_CONTROL_TOKEN (admin) or TRADEACTOR_READ_TOKEN",
        },
        session: { type: "apiKey", in: "cookie", name: SESSION_COOKIE, description: "from POST /api/v1/session" },
      },
    },
  };
}
