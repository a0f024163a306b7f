/**
 * Secrets never leak (and, on the same live daemon, /metrics counts order latency): a live daemon on the fake Binance, its key and secret from the encrypted key store, the control
 * token from the environment, one strategy crashing once (a crash report). Everything the daemon writes or serves is
 * searched for the secret strings: stderr at debug level, every journal row, every file in the data directory (the
 * key store excepted: it holds them encrypted), /api/v1/status, /api/v1/logs, /metrics and the other read endpoints.
 */
import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startFakeTrading } from "../fakes/binance_trading.ts";
import { startFakeTelegram } from "../fakes/telegram.ts";
import { startFakeSmtp } from "../fakes/smtp.ts";
import { keystorePath, openKeystore } from "../../actors/system/keystore.ts";
import { CLI, DENO_JSON, GOOG, sleep, writeConfig } from "./helpers.ts";

const API_KEY = "leakcheck-apikey-7f3a9c1e5b";
const SECRET = "leakcheck-secret-d41d8cd98f00b204";
const TOKEN = "leakcheck-control-token-9e107d9d372bb682";
const PASSPHRASE = "leakcheck-passphrase-a87ff679a2f3";
const BOT_TOKEN = "424242:leakcheck-telegram-bot-token";
const SMTP_PASSWORD = "leakcheck-smtp-password-1f0e3dad";
const SECRETS = { API_KEY, SECRET, TOKEN, PASSPHRASE, BOT_TOKEN, SMTP_PASSWORD };
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));

function leaks(where: string, text: string): string[] {
  return Object.entries(SECRETS).filter(([, s]) => text.includes(s)).map(([name]) => `${name} in ${where}`);
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check().catch(() => false))) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await filesUnder(path));
    else if (e.isFile) out.push(path);
  }
  return out;
}

Deno.test({
  name: "secrets: key, secret, control token and passphrase appear nowhere the daemon writes or serves",
  sanitizeResources: false,
  async fn() {
    const fake = startFakeTrading({
      markets: [{ id: "BTCUSDT", base: "BTC", quote: "USDT" }],
      apiKey: API_KEY,
      secret: SECRET,
      prices: { BTCUSDT: 500 },
      balances: { USDT: 10_000_000, BTC: 0 },
    });
    const telegram = startFakeTelegram();
    const smtp = await startFakeSmtp();
    const dir = await Deno.makeTempDir({ prefix: "secrets-" });
    let child: Deno.ChildProcess | undefined;
    try {
      await (await openKeystore(keystorePath(dir), PASSPHRASE, { create: true })).put("binance", {
        apiKey: API_KEY,
        secret: SECRET,
      });
      const config = await writeConfig(dir, {
        mode: "live",
        dataDir: dir,
        control: { hostname: "127.0.0.1", port: 0 },
        venue: { type: "binance", name: "binance", apiUrl: fake.url, apiKey: "keystore:binance", pollMs: 100 },
        feed: { type: "replay", sources: [{ file: GOOG, symbol: "BTC/USDT" }], speed: "max", limit: 400 },
        strategies: [
          { id: "ma", strategy: "sma_cross", params: { fast: 5, slow: 10 }, symbols: ["BTC/USDT"], capital: 10_000 },
          {
            id: "bad",
            strategy: fixture("throw_once"),
            params: { fast: 5, slow: 10, on: "2005-01-03" },
            symbols: ["BTC/USDT"],
            capital: 10_000,
          },
        ],
        alerts: {
          telegram: { chatId: "7", apiUrl: telegram.url },
          email: {
            host: "127.0.0.1",
            port: smtp.port,
            security: "none",
            from: "bot@example.com",
            to: ["ops@example.com"],
            usernameEnv: "SMTP_USER",
            passwordEnv: "SMTP_PASSWORD",
          },
          intervalMs: 0,
        },
        statusEveryMs: 200,
      });
      child = new Deno.Command(Deno.execPath(), {
        args: ["run", "-A", "--config", DENO_JSON, CLI, "run", "--config", config, "--no-watchdog"],
        stdin: "null",
        stdout: "piped",
        stderr: "piped",
        env: {
          TRADEACTOR_LOG: "debug",
          TRADEACTOR_CONTROL_TOKEN: TOKEN,
          TRADEACTOR_KEYS_PASSPHRASE: PASSPHRASE,
          TRADEACTOR_TELEGRAM_BOT_TOKEN: BOT_TOKEN,
          SMTP_USER: "bot",
          SMTP_PASSWORD,
        },
      }).spawn();
      const output = child.output();
      let url = "";
      await until("control.json", async () => {
        url = JSON.parse(await Deno.readTextFile(join(dir, "control.json"))).url;
        return true;
      });
      const get = async (path: string) => {
        const r = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } });
        const text = await r.text();
        // /health answers 503 while a part is degraded (the crashing strategy): its body is what counts.
        assert.ok(r.status === 200 || (path === "/health" && r.status === 503), `${path}: ${r.status} ${text}`);
        return text;
      };
      // Orders reached the venue (signed with the stored key) and the faulty strategy crashed once.
      await until(
        "fills at the venue",
        async () => fake.submits.length > 0 && (await get("/api/v1/trades")).includes("ma"),
      );
      // Every log line the daemon keeps, page by page.
      const allLogs = async () => {
        let text = "";
        for (let cursor: string | null = ""; cursor !== null;) {
          const page = JSON.parse(await get(`/api/v1/logs?limit=500${cursor ? `&cursor=${cursor}` : ""}`));
          text += JSON.stringify(page.items);
          cursor = page.nextCursor;
        }
        return text;
      };
      await until("the crash", async () => (await allLogs()).includes("throw_once: 2005-01-03"));
      const served: string[] = [];
      for (
        const path of [
          "/api/v1/status",
          "/metrics",
          "/health",
          "/api/v1/strategies",
          "/api/v1/strategies/ma",
          "/api/v1/strategies/available",
          "/api/v1/orders",
          "/api/v1/trades",
          "/api/v1/positions",
          "/api/v1/performance",
          "/api/v1/risk/alerts",
          "/api/v1/risk/metrics",
          "/api/v1/openapi.json",
        ]
      ) {
        served.push(...leaks(path, await get(path)));
      }
      served.push(...leaks("/api/v1/logs", await allLogs()));
      // The live tree measures order latency: both histograms have counted the orders that reached the venue.
      const metrics = await get("/metrics");
      for (const name of ["order_ack_latency_seconds", "bar_to_order_latency_seconds"]) {
        const count = Number(new RegExp(`^tradeactor_${name}_count (\\d+)$`, "m").exec(metrics)?.[1]);
        assert.ok(count > 0, `${name}: ${count}`);
        assert.match(metrics, new RegExp(`^tradeactor_${name}_bucket\\{le="\\+Inf"\\} ${count}$`, "m"));
      }
      child.kill("SIGTERM");
      const out = await output;
      child = undefined;
      const stderr = new TextDecoder().decode(out.stderr) + new TextDecoder().decode(out.stdout);
      assert.match(stderr, /throw_once: 2005-01-03/, "the crash report is in the log");
      // The alert channels were used (with the token and the password), and say so nowhere.
      assert.ok(telegram.messages.length > 0 && smtp.mails.length > 0, "alerts went out");
      assert.equal(telegram.messages[0].token, BOT_TOKEN);
      const found = [...served, ...leaks("stderr", stderr)];

      const db = new DatabaseSync(join(dir, "journal.sqlite"), { readOnly: true });
      try {
        const rows = db.prepare("SELECT * FROM journal_events").all();
        assert.ok(rows.length > 10);
        found.push(...leaks("the journal", JSON.stringify(rows)));
      } finally {
        db.close();
      }
      for (const file of await filesUnder(dir)) {
        if (file === keystorePath(dir) || file.endsWith("live.json")) continue;
        const bytes = await Deno.readFile(file);
        found.push(...leaks(file, new TextDecoder("latin1").decode(bytes)));
      }
      // The token came from the environment: control.json names only the URL.
      assert.deepEqual(Object.keys(JSON.parse(await Deno.readTextFile(join(dir, "control.json")))).sort(), [
        "pid",
        "url",
      ]);
      assert.deepEqual(found, []);
    } finally {
      if (child) {
        child.kill("SIGKILL");
        await child.status;
      }
      await fake.close();
      await telegram.close();
      await smtp.close();
      await Deno.remove(dir, { recursive: true });
    }
  },
});
