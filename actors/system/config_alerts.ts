/**
 * The live config's `alerts`: a webhook, a Telegram chat and e-mail over SMTP, rate limited together. Secrets (the
 * bot token, the SMTP password) come from the environment, named in the file, never written in it.
 *
 *   "alerts": {
 *     "webhookUrl": "https://hooks.example.com/…",
 *     "telegram": { "chatId": "-100123", "botTokenEnv": "TRADEACTOR_TELEGRAM_BOT_TOKEN", "apiUrl": "https://api.telegram.org" },
 *     "email": { "host": "smtp.example.com", "port": 587, "security": "starttls", "from": "bot@example.com",
 *                "to": ["ops@example.com"], "usernameEnv": "TRADEACTOR_SMTP_USER", "passwordEnv": "TRADEACTOR_SMTP_PASSWORD" },
 *     "intervalMs": 10000
 *   }
 */
import type { EmailChannel, TelegramChannel } from "../journal/alert_channels.ts";
import { show } from "../runtime/validate.ts";
import { hostname, HTTP, known, num, obj, oneOf, type Problems, str, url } from "./config_fields.ts";

export interface AlertsConfig {
  readonly webhookUrl?: string;
  readonly telegram?: TelegramChannel;
  readonly email?: EmailChannel;
  /** At most one message per channel per interval; alerts meanwhile are batched. */
  readonly alertIntervalMs?: number;
}

const DEFAULT_TELEGRAM = "https://api.telegram.org";
const EMAIL = /^[^\s<>@]+@[^\s<>@]+$/;

function envName(p: Problems, value: unknown, field: string, fallback?: string): string | undefined {
  if (value === undefined && fallback === undefined) return undefined;
  const name = str(p, value, field, fallback);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    p.push({ field, why: `must be an environment variable's name (letters, digits, _), got ${show(name)}` });
  }
  return name;
}

function address(p: Problems, value: unknown, field: string): string {
  const text = str(p, value, field);
  if (text !== "" && !EMAIL.test(text)) p.push({ field, why: `not an e-mail address: ${show(text)}` });
  return text;
}

function parseTelegram(p: Problems, raw: unknown, env: (n: string) => string | undefined): TelegramChannel {
  const t = obj(p, raw, "alerts.telegram");
  known(p, t, "alerts.telegram", ["chatId", "botTokenEnv", "apiUrl"]);
  const chatId = typeof t.chatId === "number" && Number.isInteger(t.chatId)
    ? String(t.chatId)
    : str(p, t.chatId, "alerts.telegram.chatId");
  const tokenEnv = envName(p, t.botTokenEnv, "alerts.telegram.botTokenEnv", "TRADEACTOR_TELEGRAM_BOT_TOKEN")!;
  const botToken = env(tokenEnv) ?? "";
  if (!botToken) p.push({ field: "alerts.telegram", why: `needs the bot token in env ${tokenEnv}` });
  const apiUrl = t.apiUrl === undefined ? DEFAULT_TELEGRAM : url(p, t.apiUrl, "alerts.telegram.apiUrl", HTTP);
  return { apiUrl, botToken, chatId };
}

function parseEmail(p: Problems, raw: unknown, env: (n: string) => string | undefined): EmailChannel {
  const e = obj(p, raw, "alerts.email");
  known(p, e, "alerts.email", ["host", "port", "security", "from", "to", "usernameEnv", "passwordEnv"]);
  const security = oneOf(p, e.security, "alerts.email.security", ["starttls", "tls", "none"] as const, "starttls") ??
    "starttls";
  const host = hostname(p, e.host, "alerts.email.host", "");
  if (host === "") p.push({ field: "alerts.email.host", why: "required (the SMTP server)" });
  const port = num(
    p,
    e.port,
    "alerts.email.port",
    { min: 1, max: 65_535, integer: true },
    security === "tls" ? 465 : 587,
  );
  const to = (Array.isArray(e.to) ? e.to : [e.to]).map((v, i) => address(p, v, `alerts.email.to[${i}]`));
  const userEnv = envName(p, e.usernameEnv, "alerts.email.usernameEnv");
  const passEnv = envName(p, e.passwordEnv, "alerts.email.passwordEnv");
  const username = userEnv ? env(userEnv) : undefined;
  const password = passEnv ? env(passEnv) : undefined;
  if (userEnv && !username) p.push({ field: "alerts.email.usernameEnv", why: `env ${userEnv} is not set` });
  if (passEnv && !password) p.push({ field: "alerts.email.passwordEnv", why: `env ${passEnv} is not set` });
  if (password && security === "none" && !/^(127\.|localhost$|::1$)/.test(host)) {
    p.push({
      field: "alerts.email.security",
      why: '"none" would send the SMTP password in clear text: use starttls or tls',
    });
  }
  return {
    host,
    port,
    security,
    from: address(p, e.from, "alerts.email.from"),
    to,
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

export function parseAlerts(p: Problems, raw: unknown, env: (n: string) => string | undefined): AlertsConfig {
  const a = obj(p, raw, "alerts", true);
  known(p, a, "alerts", ["webhookUrl", "telegram", "email", "intervalMs"]);
  const webhookUrl = a.webhookUrl === undefined ? undefined : url(p, a.webhookUrl, "alerts.webhookUrl", HTTP);
  const telegram = a.telegram === undefined ? undefined : parseTelegram(p, a.telegram, env);
  const email = a.email === undefined ? undefined : parseEmail(p, a.email, env);
  const intervalMs = a.intervalMs === undefined ? undefined : num(p, a.intervalMs, "alerts.intervalMs", {
    min: 0,
    hint: "milliseconds between two messages on one channel; 0 = no batching",
  });
  return {
    ...(webhookUrl !== undefined ? { webhookUrl } : {}),
    ...(telegram ? { telegram } : {}),
    ...(email ? { email } : {}),
    ...(intervalMs !== undefined ? { alertIntervalMs: intervalMs } : {}),
  };
}
