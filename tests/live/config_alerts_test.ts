/** The config's alert channels: shapes, defaults, secrets from the environment, and what reaches the journal actor. */
import assert from "node:assert/strict";
import { resolveLiveConfig } from "../../actors/system/live_config.ts";
import { LiveConfigError } from "../../actors/system/config_fields.ts";
import { buildLiveTree } from "../../actors/system/live_tree.ts";
import { paperConfig } from "./helpers.ts";

const ENV: Record<string, string> = {
  TRADEACTOR_TELEGRAM_BOT_TOKEN: "111:token-from-env",
  SMTP_USER: "bot",
  SMTP_PASS: "smtp-password",
};
const env = (name: string) => ENV[name];

async function problems(alerts: unknown): Promise<string[]> {
  const err = await resolveLiveConfig(paperConfig("/tmp/unused", { alerts }), { env }).then(() => undefined, (e) => e);
  assert.ok(err instanceof LiveConfigError, "should be refused");
  return err.problems.map((p) => `${p.field}: ${p.why}`);
}

Deno.test("config alerts: telegram and email resolve with their secrets from the environment and reach the journal", async () => {
  const config = await resolveLiveConfig(
    paperConfig("/tmp/unused", {
      alerts: {
        webhookUrl: "https://hooks.example.com/a",
        telegram: { chatId: -1001 },
        email: {
          host: "smtp.example.com",
          from: "bot@example.com",
          to: "ops@example.com",
          usernameEnv: "SMTP_USER",
          passwordEnv: "SMTP_PASS",
        },
        intervalMs: 30_000,
      },
    }),
    { env },
  );
  assert.deepEqual(config.alerts, {
    webhookUrl: "https://hooks.example.com/a",
    telegram: { apiUrl: "https://api.telegram.org", botToken: "111:token-from-env", chatId: "-1001" },
    email: {
      host: "smtp.example.com",
      port: 587,
      security: "starttls",
      from: "bot@example.com",
      to: ["ops@example.com"],
      username: "bot",
      password: "smtp-password",
    },
    alertIntervalMs: 30_000,
  });
  const journal = buildLiveTree(config).children.find((c) => c.id === "journal");
  assert.ok(journal?.kind === "actor");
  const jc = journal.config as Record<string, unknown>;
  assert.deepEqual(jc.telegram, config.alerts.telegram);
  assert.deepEqual(jc.email, config.alerts.email);
  assert.equal(jc.alertIntervalMs, 30_000);
});

Deno.test("config alerts: a missing token, a bad address, clear-text passwords and unknown fields are named", async () => {
  assert.deepEqual(await problems({ telegram: { chatId: "1", botTokenEnv: "NOPE" } }), [
    "alerts.telegram: needs the bot token in env NOPE",
  ]);
  assert.deepEqual(await problems({ telegram: { chatId: "1", apiUrl: "ftp://x" } }), [
    'alerts.telegram.apiUrl: must be an http:// or https:// URL, got "ftp://x"',
  ]);
  const email = await problems({
    email: { host: "smtp.example.com", security: "none", from: "nobody", to: ["a@b.c", "x"], passwordEnv: "SMTP_PASS" },
  });
  assert.deepEqual(email, [
    'alerts.email.to[1]: not an e-mail address: "x"',
    'alerts.email.security: "none" would send the SMTP password in clear text: use starttls or tls',
    'alerts.email.from: not an e-mail address: "nobody"',
  ]);
  assert.match((await problems({ email: { from: "a@b.c", to: "d@e.f" } })).join("\n"), /alerts\.email\.host: required/);
  assert.match(
    (await problems({ telegrm: {} })).join("\n"),
    /alerts\.telegrm: unknown field; did you mean "telegram"\?/,
  );
  assert.match((await problems({ intervalMs: -1 })).join("\n"), /alerts\.intervalMs: must be a number ≥ 0/);
});
