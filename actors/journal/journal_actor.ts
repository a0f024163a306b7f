/**
 * The journal actor: appends events other actors send (risk decisions, alerts) to the journal, and forwards alerts
 * to an optional webhook. Fire-and-forget for its senders; appends are idempotent on event id.
 *
 * The venue adapters write their own stream directly (not through this actor): their intent must be durable
 * before the order leaves, which a tell cannot promise.
 */
import { type Behaviour, ConfigError, errorText } from "../runtime/mod.ts";
import { openDatabase } from "../../storage/db.ts";
import { createSqlJournal } from "../../storage/journal/sql_journal.ts";
import type { Journal, NewEvent } from "../../storage/journal/types.ts";

export interface JournalActorConfig {
  readonly db: string;
  /** Alerts are POSTed here as JSON ({ level, message, fields, ts, actor }). */
  readonly webhookUrl?: string;
  readonly webhookTimeoutMs?: number;
  /** Told after each append ({ type: "Journaled", streams }) and each alert (with its seq): the control API's tap. */
  readonly tap?: string;
}

export type JournalMessage =
  | { readonly type: "Append"; readonly events: readonly NewEvent[] }
  | {
    readonly type: "Alert";
    readonly level: "warn" | "error";
    readonly message: string;
    readonly fields?: Record<string, unknown>;
    readonly ts: number;
  };

interface State {
  readonly config: JournalActorConfig;
  readonly journal: Journal;
  alerts: number;
}

export const journalActor: Behaviour<JournalMessage, State, JournalActorConfig> = {
  accepts: ["Append", "Alert"],
  parseConfig(raw, actor) {
    const c = (raw ?? {}) as Partial<JournalActorConfig>;
    if (typeof c.db !== "string") throw new ConfigError(actor, "db", "required (sqlite:PATH or postgres://...)");
    if (c.webhookUrl !== undefined) {
      try {
        new URL(c.webhookUrl);
      } catch {
        throw new ConfigError(actor, "webhookUrl", `not a URL: ${JSON.stringify(c.webhookUrl)}`);
      }
    }
    return {
      db: c.db,
      webhookUrl: c.webhookUrl,
      webhookTimeoutMs: c.webhookTimeoutMs ?? 5_000,
      ...(typeof c.tap === "string" ? { tap: c.tap } : {}),
    };
  },
  async init(config) {
    const database = await openDatabase({ url: config.db });
    return { config, journal: createSqlJournal(database, { closeDatabase: true }), alerts: 0 };
  },
  async receive(state, msg, ctx) {
    switch (msg.type) {
      case "Append":
        await state.journal.append(msg.events);
        if (state.config.tap) ctx.tell(state.config.tap, { type: "Journaled", streams: streamsOf(msg.events) });
        return state;
      case "Alert": {
        const from = ctx.sender?.path ?? "outside";
        const eventId = `alert:${from}:${msg.ts}:${++state.alerts}`;
        const [seq] = await state.journal.append([{
          eventId,
          stream: "alerts",
          type: msg.level,
          ts: msg.ts,
          payload: msg,
        }]);
        if (state.config.tap) ctx.tell(state.config.tap, { type: "AlertJournaled", seq, actor: from, alert: msg });
        const url = state.config.webhookUrl;
        if (url) {
          try {
            const response = await fetch(url, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify({
                level: msg.level,
                message: msg.message,
                fields: msg.fields,
                ts: msg.ts,
                actor: from,
              }),
              signal: AbortSignal.timeout(state.config.webhookTimeoutMs ?? 5_000),
            });
            await response.body?.cancel();
            if (!response.ok) ctx.log.warn("alert webhook answered an error", { status: response.status });
          } catch (err) {
            ctx.log.warn("alert webhook failed", { error: errorText(err) });
          }
        }
        return state;
      }
    }
  },
  async stop(state) {
    await state.journal.close();
  },
};

const streamsOf = (events: readonly NewEvent[]) => [...new Set(events.map((e) => e.stream))];

export default journalActor;
