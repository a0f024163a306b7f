/** GET /api/v1/openapi.json: the OpenAPI 3.1 document, generated from the routes (openapi.ts). Public: no data. */
import { json } from "../http.ts";
import { openApiDocument } from "../openapi.ts";
import type { RouteModule } from "./deps.ts";

export const API_VERSION = "1.0.0";

export const openApiRoutes: RouteModule = (deps) => {
  let cached: unknown;
  return [{
    method: "GET",
    path: "/api/v1/openapi.json",
    access: "public",
    mutating: false,
    tag: "system",
    summary: "This document",
    responses: { 200: { description: "the OpenAPI 3.1 document", schema: { type: "any" } } },
    handle: () =>
      json(cached ??= openApiDocument(deps.routes(), { readsProtected: deps.readsProtected, version: API_VERSION })),
  }];
};
