/** The daemon's recent log lines, newest first, filtered by minimum level, strategy, actor and time. */
import { json, refuse } from "../http.ts";
import { ERROR, LOG, page, PAGE_QUERY, SINCE, STRATEGY_ID } from "../api_schemas.ts";
import { LEVEL_RANK, LOG_LEVELS, type LogView } from "../log_tail.ts";
import { pageOf, sinceOf } from "../pagination.ts";
import type { LogLevel } from "../../runtime/mod.ts";
import type { RouteModule } from "./deps.ts";

export const logRoutes: RouteModule = (deps) => [
  {
    method: "GET",
    path: "/api/v1/logs",
    access: "read",
    mutating: false,
    tag: "logs",
    summary: "The daemon's recent log lines (every actor's), newest first",
    query: {
      fields: {
        level: { type: "string", maxLength: 5, enum: LOG_LEVELS, description: "the minimum level (default debug)" },
        strategy: STRATEGY_ID,
        actor: { type: "string", maxLength: 200, description: "actor paths that start with this" },
        since: SINCE,
        ...PAGE_QUERY,
      },
    },
    responses: {
      200: {
        description: "a page of log lines (the newest 5,000 since the daemon started are kept)",
        schema: page(LOG),
      },
      400: { description: "a bad filter", schema: ERROR },
      503: { description: "this endpoint keeps no log", schema: ERROR },
    },
    handle: ({ query }) => {
      if (!deps.logs) return refuse(503, "this endpoint keeps no log");
      const since = sinceOf(query);
      if (since instanceof Response) return since;
      const min = LEVEL_RANK[(query.level as LogLevel | undefined) ?? "debug"];
      const actor = query.actor as string | undefined;
      const keep = (line: LogView) =>
        LEVEL_RANK[line.level] >= min &&
        (query.strategy === undefined || line.strategy === query.strategy) &&
        (actor === undefined || line.actor.startsWith(actor)) &&
        (since === undefined || line.ts >= since);
      return json(pageOf(deps.logs.records(), query, keep));
    },
  },
];
