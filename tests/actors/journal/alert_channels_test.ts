/**
 * Alert channels of the journal actor against local fakes: a webhook, the Telegram Bot API (tests/fakes/telegram.ts)
 * and SMTP (tests/fakes/smtp.ts). The first alert goes out at once, the ones within the interval in one batch; a
 * failing or hanging channel is logged (its secret hidden) and never holds up the journal.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { createInProcessHost, type LogRecord } from "../../../actors/runtime/mod.ts";
import { openJournal } from "../../../storage/journal/open.ts";
import { startFakeTelegram } from "../../fakes/telegram.ts";
import { startFakeSmtp, testCertificates } from "../../fakes/smtp.ts";
import { sendMail } from "../../../actors/journal/smtp.ts";

const JOURNAL = new URL("../../../actors/journal/journal_actor.ts", import.meta.url).href;
const BOT_TOKEN = "123456789:AAH-fake-bot-token-secret";

function fakeWebhook(status = 200) {
  const bodies: Record<string, unknown>[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    bodies.push(await req.json());
    return new Response(null, { status });
  });
  return { url: `http://127.0.0.1:${server.addr.port}/hook`, bodies, close: () => server.shutdown() };
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const alert = (message: string, ts: number, level: "warn" | "error" = "warn") => ({
  type: "Alert",
  level,
  message,
  fields: { strategyId: "ma", n: ts },
  ts,
});

Deno.test("alerts: webhook, Telegram and e-mail get the first alert at once and the rest in one batch", async () => {
  const hook = fakeWebhook();
  const telegram = startFakeTelegram();
  const smtp = await startFakeSmtp();
  const dir = await Deno.makeTempDir({ prefix: "alerts-" });
  const host = createInProcessHost({ logSink: () => {} });
  try {
    await host.start({
      kind: "actor",
      id: "journal",
      module: JOURNAL,
      config: {
        db: `sqlite:${join(dir, "j.sqlite")}`,
        webhookUrl: hook.url,
        telegram: { apiUrl: telegram.url, botToken: BOT_TOKEN, chatId: "-1001" },
        email: {
          host: "127.0.0.1",
          port: smtp.port,
          security: "none",
          from: "bot@example.com",
          to: ["ops@example.com", "cto@example.com"],
        },
        // Long: nothing but the stop flushes the batch, however slow this machine is.
        alertIntervalMs: 600_000,
        alertBatchMax: 2,
      },
    });
    host.tell("journal", alert("strategy QUARANTINED", Date.UTC(2026, 0, 2, 3, 4, 5), "error"));
    await until(
      "the first alert everywhere",
      () => hook.bodies.length === 1 && telegram.messages.length === 1 && smtp.mails.length === 1,
    );
    assert.equal(telegram.messages[0].token, BOT_TOKEN);
    assert.equal(telegram.messages[0].chatId, "-1001");
    assert.equal(
      telegram.messages[0].text,
      "2026-01-02T03:04:05.000Z ERROR outside: strategy QUARANTINED (strategyId=ma n=1767323045000)",
    );
    assert.equal(hook.bodies[0].message, "strategy QUARANTINED");
    assert.equal(hook.bodies[0].level, "error");
    assert.equal((hook.bodies[0].alerts as unknown[]).length, 1);
    const mail = smtp.mails[0];
    assert.equal(mail.from, "bot@example.com");
    assert.deepEqual(mail.to, ["ops@example.com", "cto@example.com"]);
    assert.match(mail.data, /^Subject: \[tradeactor\] ERROR: strategy QUARANTINED$/m);
    assert.match(mail.data, /^To: ops@example.com, cto@example.com$/m);
    assert.match(mail.data, /\r\n\r\n2026-01-02T03:04:05\.000Z ERROR outside: strategy QUARANTINED/);

    // Four more within the interval: one message per channel, two lines and a count.
    for (let i = 1; i <= 4; i++) host.tell("journal", alert(`.alert ${i}`, Date.UTC(2026, 0, 2, 3, 5, i)));
    host.tell("journal", { type: "Append", events: [{ eventId: "e1", stream: "s", type: "t", ts: 1, payload: {} }] });
    await host.idle();
    assert.equal(telegram.messages.length, 1, "batched until the interval ends");
    await host.stop();
    assert.equal(hook.bodies.length, 2);
    assert.equal(telegram.messages.length, 2);
    assert.equal(smtp.mails.length, 2);
    assert.deepEqual(telegram.messages[1].text.split("\n"), [
      "2026-01-02T03:05:01.000Z WARN outside: .alert 1 (strategyId=ma n=1767323101000)",
      "2026-01-02T03:05:02.000Z WARN outside: .alert 2 (strategyId=ma n=1767323102000)",
      "… and 2 more (see GET /api/v1/alerts)",
    ]);
    assert.match(smtp.mails[1].data, /^Subject: \[tradeactor\] WARN: 4 alerts$/m);
    // A line starting with "." survives SMTP's dot-stuffing.
    assert.match(smtp.mails[1].data, /^2026-01-02T03:05:01\.000Z WARN outside: \.alert 1/m);
    assert.equal(hook.bodies[1].omitted, 2);
    assert.deepEqual((hook.bodies[1].alerts as { message: string }[]).map((a) => a.message), [".alert 1", ".alert 2"]);
    // Every alert is journaled, whatever the channels did with it.
    const journal = await openJournal(`sqlite:${join(dir, "j.sqlite")}`);
    assert.equal((await journal.read({ stream: "alerts" })).length, 5);
    await journal.close();
  } finally {
    await host.stop().catch(() => {});
    await hook.close();
    await telegram.close();
    await smtp.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("alerts: a dead, failing or hanging channel is logged without its secret and holds up nothing", async () => {
  const hook = fakeWebhook(500);
  const smtp = await startFakeSmtp();
  smtp.hold();
  const closed = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const deadPort = (closed.addr as Deno.NetAddr).port;
  closed.close();
  const dir = await Deno.makeTempDir({ prefix: "alerts-fail-" });
  const logs: LogRecord[] = [];
  const host = createInProcessHost({ logSink: (r) => logs.push(r), logLevel: "debug" });
  try {
    await host.start({
      kind: "actor",
      id: "journal",
      module: JOURNAL,
      config: {
        db: `sqlite:${join(dir, "j.sqlite")}`,
        webhookUrl: hook.url,
        webhookTimeoutMs: 1_000,
        telegram: { apiUrl: `http://127.0.0.1:${deadPort}`, botToken: BOT_TOKEN, chatId: "1" },
        email: {
          host: "127.0.0.1",
          port: smtp.port,
          security: "none",
          from: "a@b.c",
          to: ["d@e.f"],
          password: "smtp-pw-secret",
        },
        alertIntervalMs: 0,
      },
    });
    host.tell("journal", alert("venue down", 1_000, "error"));
    // The SMTP relay is silent: the journal goes on appending meanwhile.
    host.tell("journal", {
      type: "Append",
      events: [{ eventId: "after", stream: "s", type: "t", ts: 2, payload: {} }],
    });
    await host.idle();
    const journal = await openJournal(`sqlite:${join(dir, "j.sqlite")}`);
    assert.equal((await journal.read({ stream: "s" })).length, 1);
    assert.equal(smtp.mails.length, 0);
    await journal.close();
    const failed = (kind: string) => logs.find((r) => r.msg === `alert ${kind} failed`);
    await until("three failures", () => !!(failed("webhook") && failed("telegram") && failed("email")));
    assert.match(String(failed("webhook")!.error), /answered 500/);
    assert.match(String(failed("email")!.error), /no answer within 1000 ms/);
    for (const r of logs) {
      const text = JSON.stringify(r);
      assert.ok(!text.includes(BOT_TOKEN) && !text.includes("smtp-pw-secret"), `a secret in ${text}`);
    }
    assert.match(String(failed("telegram")!.error), /bot\*\*\*\/sendMessage|Connect|refused/i);
  } finally {
    smtp.release();
    await host.stop().catch(() => {});
    await hook.close();
    await smtp.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("smtp: STARTTLS required but not offered, a refused recipient and credentials in clear text are errors", async () => {
  const plain = await startFakeSmtp();
  const rejecting = await startFakeSmtp({ rejectRcpt: true });
  const base = { host: "127.0.0.1", timeoutMs: 5_000 };
  const mail = { from: "a@b.c", to: ["d@e.f"], subject: "s", text: "t" };
  try {
    await assert.rejects(
      () => sendMail({ ...base, port: plain.port, security: "starttls" }, mail),
      /does not offer STARTTLS; not sending in clear text/,
    );
    await assert.rejects(
      () => sendMail({ ...base, port: rejecting.port, security: "none" }, mail),
      /RCPT TO d@e\.f: the server answered 550 no such user/,
    );
    await assert.rejects(
      () => sendMail({ ...base, host: "smtp.example.com", port: 25, security: "none", password: "x" }, mail),
      /refusing to send SMTP credentials to smtp\.example\.com without TLS/,
    );
    await sendMail({ ...base, port: plain.port, security: "none", username: "u", password: "p" }, mail);
    assert.deepEqual(plain.mails[0].auth, { username: "u", password: "p" });
    assert.equal(plain.mails.length, 1);
  } finally {
    await plain.close();
    await rejecting.close();
  }
});

Deno.test("smtp: STARTTLS upgrades before credentials and DATA; TLS from the first byte; an unknown CA is refused", async (t) => {
  const certs = await testCertificates();
  if (!certs) {
    await t.step({ name: "openssl is not installed: skipped", ignore: true, fn: () => {} });
    return;
  }
  const starttls = await startFakeSmtp({ offerStartTls: true, tls: certs });
  const implicit = await startFakeSmtp({ implicitTls: true, tls: certs });
  const mail = { from: "a@b.c", to: ["d@e.f"], subject: "over TLS", text: "hello" };
  const base = { host: "localhost", timeoutMs: 10_000, caCerts: [certs.ca], username: "u", password: "pw" };
  try {
    await sendMail({ ...base, port: starttls.port, security: "starttls" }, mail);
    assert.equal(starttls.mails.length, 1);
    assert.equal(starttls.mails[0].secure, true);
    assert.deepEqual(starttls.mails[0].auth, { username: "u", password: "pw" });
    await sendMail({ ...base, port: implicit.port, security: "tls" }, mail);
    assert.equal(implicit.mails.length, 1);
    assert.equal(implicit.mails[0].secure, true);
    assert.match(implicit.mails[0].data, /^Subject: over TLS$/m);
    // Without the test CA the server's certificate is not trusted: nothing is sent.
    await assert.rejects(() =>
      sendMail({ ...base, caCerts: undefined, port: starttls.port, security: "starttls" }, mail)
    );
    assert.equal(starttls.mails.length, 1);
  } finally {
    await starttls.close();
    await implicit.close();
  }
});
