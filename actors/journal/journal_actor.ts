/**
 * The journal actor: appends events other actors send (risk decisions, alerts) to the journal, and forwards alerts
 * to the configured channels (webhook, Telegram, e-mail: alert_channels.ts). Fire-and-forget for its senders; appends
 * are idempotent on event id. Channels are rate limited: the first alert goes out at once, the ones that follow within
 * `alertIntervalMs` go together in one message (at most `alertBatchMax` lines, then a count). Deliveries run beside the
 * actor, never awaited by it: a slow or dead channel delays no append, and so no order.
 *
 * The venue adapters write their own stream directly (not through this actor): their intent must be durable
 * before the order leaves, which a tell cannot promise.
 */
import { type ActorContext, type Behaviour, ConfigError, errorText } from "../runtime/mod.ts";
import { openJournal } from "../../storage/journal/open.ts";
import type { Journal, NewEvent } from "../../storage/journal/types.ts";
import {
  type AlertChannel,
  type AlertRecord,
  type EmailChannel,
  sendBatch,
  type TelegramChannel,
} from "./alert_channels.ts";

export interface JournalActorConfig {
  readonly db: string;
  /** Alerts are POSTed here as JSON ({ level, message, fields, ts, actor }). */
  readonly webhookUrl?: string;
  readonly webhookTimeoutMs?: number;
  readonly telegram?: TelegramChannel;
  readonly email?: EmailChannel;
  /** At most one message per channel per interval (default 10 s); what comes meanwhile is batched. */
  readonly alertIntervalMs?: number;
  /** Lines per batch before the rest is only counted (default 20). */
  readonly alertBatchMax?: number;
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
  }
  | { readonly type: "FlushAlerts" };

interface State {
  readonly config: JournalActorConfig;
  readonly journal: Journal;
  readonly channels: readonly AlertChannel[];
  alerts: number;
  pending: AlertRecord[];
  omitted: number;
  lastFlush: number;
  readonly inflight: Set<Promise<void>>;
}

export const journalActor: Behaviour<JournalMessage, State, JournalActorConfig> = {
  accepts: ["Append", "Alert", "FlushAlerts"],
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
    if (c.telegram !== undefined) {
      const t = c.telegram;
      if (typeof t?.botToken !== "string" || t.botToken === "") {
        throw new ConfigError(actor, "telegram.botToken", "required");
      }
      if (typeof t.chatId !== "string" || t.chatId === "") throw new ConfigError(actor, "telegram.chatId", "required");
      if (typeof t.apiUrl !== "string" || !URL.canParse(t.apiUrl)) {
        throw new ConfigError(actor, "telegram.apiUrl", "must be a URL");
      }
    }
    if (c.email !== undefined) {
      const e = c.email;
      if (typeof e?.host !== "string" || e.host === "") throw new ConfigError(actor, "email.host", "required");
      if (!Number.isInteger(e.port) || e.port < 1 || e.port > 65_535) {
        throw new ConfigError(actor, "email.port", "must be a port number");
      }
      if (!["tls", "starttls", "none"].includes(e.security)) {
        throw new ConfigError(actor, "email.security", 'must be "tls", "starttls" or "none"');
      }
      if (typeof e.from !== "string" || !Array.isArray(e.to) || e.to.length === 0) {
        throw new ConfigError(actor, "email", "needs from and at least one to");
      }
    }
    return {
      db: c.db,
      webhookUrl: c.webhookUrl,
      webhookTimeoutMs: c.webhookTimeoutMs ?? 5_000,
      ...(c.telegram ? { telegram: c.telegram } : {}),
      ...(c.email ? { email: c.email } : {}),
      alertIntervalMs: c.alertIntervalMs ?? 10_000,
      alertBatchMax: c.alertBatchMax ?? 20,
      ...(typeof c.tap === "string" ? { tap: c.tap } : {}),
    };
  },
  async init(config) {
    const channels: AlertChannel[] = [
      ...(config.webhookUrl ? [{ kind: "webhook" as const, url: config.webhookUrl }] : []),
      ...(config.telegram ? [{ kind: "telegram" as const, ...config.telegram }] : []),
      ...(config.email ? [{ kind: "email" as const, ...config.email }] : []),
    ];
    return {
      config,
      journal: await openJournal(config.db),
      channels,
      alerts: 0,
      pending: [],
      omitted: 0,
      lastFlush: -Infinity,
      inflight: new Set(),
    };
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
        if (state.channels.length === 0) return state;
        const record = { level: msg.level, message: msg.message, fields: msg.fields, ts: msg.ts, actor: from };
        if (state.pending.length < (state.config.alertBatchMax ?? 20)) state.pending.push(record);
        else state.omitted++;
        const due = state.lastFlush + (state.config.alertIntervalMs ?? 10_000) - ctx.clock.now();
        if (due <= 0) flush(state, ctx);
        else ctx.schedule("alerts", due, { type: "FlushAlerts" });
        return state;
      }
      case "FlushAlerts":
        flush(state, ctx);
        return state;
    }
  },
  async stop(state, ctx) {
    // What waited for the interval goes out now; each delivery is bounded by its timeout.
    flush(state, ctx);
    await Promise.allSettled([...state.inflight]);
    await state.journal.close();
  },
};

/** Hands the pending alerts to every channel, without waiting for them. */
function flush(state: State, ctx: ActorContext<JournalMessage>): void {
  if (state.pending.length === 0) return;
  const batch = { alerts: state.pending, omitted: state.omitted };
  state.pending = [];
  state.omitted = 0;
  state.lastFlush = ctx.clock.now();
  const timeoutMs = state.config.webhookTimeoutMs ?? 5_000;
  for (const channel of state.channels) {
    const delivery: Promise<void> = sendBatch(channel, batch, timeoutMs)
      .then(() => ctx.log.debug("alerts delivered", { channel: channel.kind, alerts: batch.alerts.length }))
      .catch((err) =>
        ctx.log.warn(`alert ${channel.kind} failed`, { error: errorText(err), alerts: batch.alerts.length })
      )
      .finally(() => state.inflight.delete(delivery));
    state.inflight.add(delivery);
  }
}

const streamsOf = (events: readonly NewEvent[]) => [...new Set(events.map((e) => e.stream))];

export default journalActor;
