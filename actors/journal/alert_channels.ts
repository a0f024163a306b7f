/**
 * Where alerts go besides the journal: a webhook (JSON POST), a Telegram chat (Bot API sendMessage) and e-mail (SMTP).
 * The journal actor hands each channel a batch (alerts that came within the rate limit's interval go out together);
 * a channel that fails or hangs costs only its own delivery, with a bounded wait, and never trading.
 * Error messages never carry a channel's secret (the bot token sits in the Telegram URL).
 */
import { sendMail } from "./smtp.ts";

export interface AlertRecord {
  readonly level: "warn" | "error";
  readonly message: string;
  readonly fields?: Record<string, unknown>;
  readonly ts: number;
  readonly actor: string;
}

export interface TelegramChannel {
  /** Bot API base URL (default https://api.telegram.org): a local fake in tests, a proxy in production. */
  readonly apiUrl: string;
  readonly botToken: string;
  readonly chatId: string;
}

export interface EmailChannel {
  readonly host: string;
  readonly port: number;
  readonly security: "tls" | "starttls" | "none";
  readonly from: string;
  readonly to: readonly string[];
  readonly username?: string;
  readonly password?: string;
}

export type AlertChannel =
  | { readonly kind: "webhook"; readonly url: string }
  | ({ readonly kind: "telegram" } & TelegramChannel)
  | ({ readonly kind: "email" } & EmailChannel);

export const channelName = (c: AlertChannel) => c.kind;

/** One batch: the alerts, and how many more were left out to keep the message short. */
export interface AlertBatch {
  readonly alerts: readonly AlertRecord[];
  readonly omitted: number;
}

const LINE_FIELDS = 6;

/** One alert as a line of text: time, level, actor, message, a few fields. */
export function alertLine(a: AlertRecord): string {
  const fields = Object.entries(a.fields ?? {}).slice(0, LINE_FIELDS)
    .map(([k, v]) => `${k}=${typeof v === "string" ? v : JSON.stringify(v)}`)
    .join(" ");
  return `${new Date(a.ts).toISOString()} ${a.level.toUpperCase()} ${a.actor}: ${a.message}${
    fields ? ` (${fields})` : ""
  }`;
}

export function batchText(batch: AlertBatch): string {
  const lines = batch.alerts.map(alertLine);
  if (batch.omitted > 0) lines.push(`… and ${batch.omitted} more (see GET /api/v1/alerts)`);
  return lines.join("\n");
}

export function batchSubject(batch: AlertBatch): string {
  const n = batch.alerts.length + batch.omitted;
  const level = batch.alerts.some((a) => a.level === "error") ? "ERROR" : "WARN";
  return n === 1 ? `[tradeactor] ${level}: ${batch.alerts[0].message}` : `[tradeactor] ${level}: ${n} alerts`;
}

/** Replaces each secret in a message with ***. */
export function hide(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("***");
  return out;
}

export function channelSecrets(c: AlertChannel): (string | undefined)[] {
  switch (c.kind) {
    case "webhook": {
      const u = URL.parse(c.url);
      return [u?.password || undefined];
    }
    case "telegram":
      return [c.botToken, encodeURIComponent(c.botToken)];
    case "email":
      return [c.password];
  }
}

async function post(url: string, body: unknown, timeoutMs: number): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await response.text().catch(() => "");
  if (!response.ok) throw new Error(`answered ${response.status} ${text.slice(0, 200)}`);
}

/** Telegram's limit is 4096 characters per message. */
const TELEGRAM_MAX = 4_000;

/** Sends one batch to one channel; throws with the secrets already hidden. */
export async function sendBatch(channel: AlertChannel, batch: AlertBatch, timeoutMs: number): Promise<void> {
  try {
    switch (channel.kind) {
      case "webhook": {
        // One alert: its fields at the top (the shape a single alert always had), and all of them in `alerts`.
        const first = batch.alerts[0];
        await post(channel.url, { ...first, alerts: batch.alerts, omitted: batch.omitted }, timeoutMs);
        return;
      }
      case "telegram": {
        const text = batchText(batch);
        await post(`${channel.apiUrl.replace(/\/$/, "")}/bot${channel.botToken}/sendMessage`, {
          chat_id: channel.chatId,
          text: text.length > TELEGRAM_MAX ? `${text.slice(0, TELEGRAM_MAX)}…` : text,
          disable_web_page_preview: true,
        }, timeoutMs);
        return;
      }
      case "email":
        await sendMail({ ...channel, timeoutMs }, {
          from: channel.from,
          to: channel.to,
          subject: batchSubject(batch),
          text: batchText(batch),
        });
        return;
    }
  } catch (err) {
    const e = err as Error;
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : "";
    const why = e.name === "TimeoutError" ? `no answer within ${timeoutMs} ms` : `${e.message}${cause}`;
    throw new Error(hide(why, channelSecrets(channel)));
  }
}
