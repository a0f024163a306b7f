/**
 * The web dashboard in a real browser (the system Chromium, driven over the DevTools protocol: tests/web/cdp.ts)
 * against a real paper daemon replaying GOOG: log in with the token, watch the charts gain points, add and stop a
 * strategy, edit a limit, run a backtest from the form and open its report, press the kill switch through its
 * confirmation; screenshots at phone and desktop sizes with the key elements on screen and no horizontal overflow on
 * the phone; and not one console error. Without Chromium the tests are skipped, saying so.
 *
 * TRADEACTOR_UPDATE_SCREENSHOTS=1 also writes the screenshots to docs/dashboard.png (the README's picture) and
 * docs/dashboard_phone.png.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { paperConfig, sleep, spawnDaemon, writeConfig } from "./helpers.ts";
import { findChromium, launch, type Page } from "../web/cdp.ts";

const CHROMIUM = findChromium();
if (!CHROMIUM) {
  console.warn(
    `dashboard browser tests SKIPPED: no Chromium at ${Deno.env.get("CHROMIUM_PATH") ?? "/usr/bin/chromium"} ` +
      "(apt-get install chromium, or set CHROMIUM_PATH to a Chromium or Chrome)",
  );
}
const opts = { sanitizeResources: false, sanitizeOps: false, ignore: !CHROMIUM };
const DATA = "/work/shared/data";
const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;
const GOOG = `${DATA}/backtesting_py/GOOG.csv`;
/** 15 daily bars a second: the replay runs for about two and a half minutes, long enough to act during it. */
const PACED = 86_400_000 / 15;
const SCREENSHOT = new URL("../../docs/dashboard.png", import.meta.url);
const PHONE_SCREENSHOT = new URL("../../docs/dashboard_phone.png", import.meta.url);

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 90_000): Promise<T> {
  const start = Date.now();
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

async function startDaemon(
  dir: string,
  speed: number | "max",
  sources: readonly { file: string; symbol: string }[] = [{ file: GOOG, symbol: "GOOG" }],
  port = 0,
) {
  const config = paperConfig(dir, {
    exitAtEnd: false,
    control: { hostname: "127.0.0.1", port },
    venue: { type: "paper", name: "paper", initialCash: 30_000, commission: 0.002, defaultStep: 1 },
    feed: { type: "replay", sources, speed },
    api: { dataDirs: [DATA], strategiesDir: FIXTURES },
  });
  const child = spawnDaemon(await writeConfig(dir, config));
  let exited: string | undefined;
  child.output().then(({ code, stderr }) => (exited = `code ${code}: ${new TextDecoder().decode(stderr)}`));
  const control = await until("control.json", async () => {
    if (exited !== undefined) throw new Error(`the daemon exited before it listened (${exited})`);
    const doc = await Deno.readTextFile(join(dir, "control.json")).then(JSON.parse).catch(() => undefined);
    return doc?.pid === child.pid ? doc as { url: string; token: string } : undefined;
  }).catch(async (err) => {
    try {
      child.kill("SIGKILL");
    } catch { /* exited */ }
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    throw err;
  });
  const api = async (method: string, path: string, body?: unknown) => {
    const r = await fetch(`${control.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${control.token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: r.status, body: await r.json() };
  };
  /** Stops the daemon; `keep` leaves its data directory for a restart. */
  const stop = async (keep = false) => {
    try {
      child.kill("SIGTERM");
    } catch { /* exited */ }
    await child.status;
    if (!keep) await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  return { control, api, stop };
}

/** Clicks an element found by a selector (as a person would: it must be on the page and enabled). */
const click = (page: Page, selector: string) =>
  page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    if (!el) throw new Error("nothing matches " + ${JSON.stringify(selector)});
    if (el.disabled) throw new Error(${JSON.stringify(selector)} + " is disabled");
    el.scrollIntoView({ block: "center" });
    el.click();
    return true;
  })()`);

/** Types into a form field found by a selector (and fires input/change, as typing does). */
const type = (page: Page, selector: string, value: string) =>
  page.evaluate(`(() => {
    const el = document.querySelector(${JSON.stringify(selector)});
    if (!el) throw new Error("nothing matches " + ${JSON.stringify(selector)});
    el.value = ${JSON.stringify(value)};
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
    return true;
  })()`);

const text = (page: Page, selector: string) =>
  page.evaluate<string>(`document.querySelector(${JSON.stringify(selector)})?.textContent ?? ""`);

/** The dialog's text once it is open. */
const dialogText = (page: Page) =>
  page.waitFor<string>(
    `document.getElementById("dialog").open && document.getElementById("dialog").textContent`,
    "the dialog",
  );

const pngSize = (png: Uint8Array) => {
  const view = new DataView(png.buffer, png.byteOffset);
  assert.deepEqual([...png.slice(1, 4)], [0x50, 0x4e, 0x47], "a PNG");
  return { width: view.getUint32(16), height: view.getUint32(20) };
};

/** The key elements are on screen (inside the viewport's width, not hidden) and the page does not scroll sideways. */
async function checkLayout(page: Page, width: number) {
  const layout = await page.evaluate<{ overflow: number; inner: number; missing: string[]; wide: string[] }>(`(() => {
    const keys = ["#kill", "#login", "#trading", "#kpi-equity", "#chart-equity canvas", "#chart-price canvas",
      "[data-panel=positions]", "[data-panel=strategies]", "[data-panel=backtests]"];
    const missing = keys.filter((k) => {
      const el = document.querySelector(k);
      if (!el) return true;
      const r = el.getBoundingClientRect();
      return r.width === 0 || r.height === 0 || r.left < 0 || r.right > innerWidth + 0.5;
    });
    const wide = [...document.querySelectorAll("body *")].filter((el) => el.getBoundingClientRect().right > ${width} + 1)
      .slice(0, 5).map((el) => el.tagName + "#" + el.id + "." + el.className + " " + el.getBoundingClientRect().right);
    return { overflow: document.scrollingElement.scrollWidth, inner: innerWidth, missing, wide };
  })()`);
  assert.equal(layout.inner, width, `the layout viewport grew past ${width}px: ${JSON.stringify(layout.wide)}`);
  assert.deepEqual(layout.missing, [], `key elements off screen at ${width}px`);
  assert.ok(layout.overflow <= layout.inner, `horizontal overflow at ${width}px: ${layout.overflow} > ${layout.inner}`);
}

Deno.test({
  name: "dashboard in Chromium: login, live charts, strategy add/stop, a limit, a backtest and its report, kill switch",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-dashboard-" });
    const daemon = await startDaemon(dir, PACED);
    const browser = await launch(CHROMIUM!);
    try {
      const page = await browser.newPage();
      await page.setViewport(1440, 900);
      const html = await fetch(`${daemon.control.url}/`).then((r) => r.arrayBuffer());
      await page.navigate(`${daemon.control.url}/`);
      const fcp = await page.waitFor<number>(
        `performance.getEntriesByName("first-contentful-paint")[0]?.startTime`,
        "first contentful paint",
      );
      console.log(`dashboard page: ${html.byteLength} bytes; first contentful paint ${fcp.toFixed(0)} ms`);

      // Log in: the token is traded for a session cookie.
      await click(page, "#login");
      assert.match(await dialogText(page), /control token/i);
      await type(page, "#dialog input[name=token]", daemon.control.token);
      await click(page, "#dialog-ok");
      await page.waitFor(`document.getElementById("who").textContent.includes("admin")`, "signed in as admin");
      assert.equal(await text(page, "#login"), "Log out");

      // The charts gain points while the replay runs, in place.
      const points = (id: string) =>
        page.evaluate<number>(`Number(document.getElementById("${id}").dataset.points ?? 0)`);
      const first = await until("equity points", async () => (await points("chart-equity")) || undefined);
      await until("more equity points", async () => (await points("chart-equity")) > first + 5);
      const candles = await until("candles", async () => (await points("chart-price")) || undefined);
      await until("more candles", async () => (await points("chart-price")) > candles + 5);
      assert.match(await text(page, "#symbols"), /GOOG/);
      assert.match(await text(page, "#kpi-venue"), /paper ready/);
      assert.doesNotMatch(await text(page, "#log"), /unavailable/, "a daemon keeps a log");

      // An open order (a resting bid far below the market) in the table, cancelled with its button.
      const bid = await daemon.api("POST", "/api/v1/strategies", {
        id: "bid-goog",
        strategy: "resting_bid.ts",
        capital: 5_000,
        reason: "an order to cancel",
      });
      assert.equal(bid.status, 201, JSON.stringify(bid.body));
      const cid = await page.waitFor<string>(
        `document.querySelector("#orders [data-cancel^='bid-goog-']")?.dataset.cancel`,
        "the resting bid in the open orders",
      );
      assert.match(await text(page, "#orders"), /limit/);
      await click(page, `#orders [data-cancel='${cid}']`);
      assert.match(await dialogText(page), new RegExp(`cancel ${cid}`));
      await click(page, "#dialog-ok");
      await page.waitFor(`!document.querySelector("#orders [data-cancel='${cid}']")`, "the bid gone from open orders");
      const orders = (await daemon.api("GET", "/api/v1/orders?strategy=bid-goog")).body.items;
      assert.deepEqual(orders.map((o: { status: string }) => o.status), ["canceled"]);

      // Add a strategy from the available list, then stop it through its confirmation.
      await page.evaluate(`document.getElementById("add-strategy").open = true`);
      await type(page, "#add-kind", "mean_reversion");
      await page.waitFor(`document.querySelector("#add-params input[name='param.period']")`, "its params");
      await type(page, "#add-form input[name=id]", "mr-goog");
      await type(page, "#add-form input[name=capital]", "10000");
      await type(page, "#add-form input[name='param.period']", "15");
      await click(page, "#add-form button[type=submit]");
      await page.waitFor(
        `document.querySelector("#strategies tr[data-id='mr-goog']")?.textContent.includes("ACTIVE")`,
        "mr-goog ACTIVE",
      );
      assert.match(await text(page, "#strategies tr[data-id='mr-goog']"), /period=15/);
      // Edit its params: the form shows each one's range.
      await click(page, "#strategies tr[data-id='mr-goog'] [data-act=edit]");
      assert.match(await dialogText(page), /period integer in \[2, 1000\]/);
      await type(page, "#dialog input[name='param.period']", "18");
      await click(page, "#dialog-ok");
      await page.waitFor(
        `document.querySelector("#strategies tr[data-id='mr-goog']")?.textContent.includes("period=18")`,
        "period=18 in the table",
      );
      await click(page, "#strategies tr[data-id='mr-goog'] [data-act=stop]");
      assert.match(await dialogText(page), /cancel its open orders/);
      await click(page, "#dialog-ok");
      await page.waitFor(
        `document.querySelector("#strategies tr[data-id='mr-goog']")?.textContent.includes("STOPPED")`,
        "mr-goog STOPPED",
      );
      const mr = await daemon.api("GET", "/api/v1/strategies/mr-goog");
      assert.equal(mr.body.status, "STOPPED");
      assert.deepEqual(mr.body.params.period, 18);
      // Start it again, then delete it.
      await click(page, "#strategies tr[data-id='mr-goog'] [data-act=start]");
      await page.waitFor(
        `document.querySelector("#strategies tr[data-id='mr-goog']")?.textContent.includes("ACTIVE")`,
        "mr-goog ACTIVE again",
      );
      await click(page, "#strategies tr[data-id='mr-goog'] [data-act=delete]");
      assert.match(await dialogText(page), /remove it from the running set/);
      await click(page, "#dialog-ok");
      await page.waitFor(`!document.querySelector("#strategies tr[data-id='mr-goog']")`, "mr-goog gone");
      assert.equal((await daemon.api("GET", "/api/v1/strategies/mr-goog")).status, 404);

      // Edit a limit: the form shows the rule, the guardian applies it.
      await click(page, "#edit-limits");
      assert.match(await dialogText(page), /maxOpenOrders/);
      await type(page, "#dialog input[name='limit.maxOpenOrders']", "7");
      await click(page, "#dialog-ok");
      await until(
        "the limit in force",
        async () => (await daemon.api("GET", "/api/v1/risk/metrics")).body.limits.maxOpenOrders === 7,
      );
      await page.waitFor(`document.getElementById("limits").textContent.includes("maxOpenOrders")`, "the limit's row");

      // A backtest from the form, then its report.
      await type(page, "#bt-kind", "sma_cross");
      await page.waitFor(`document.querySelector("#bt-params input[name='param.fast']")`, "its params");
      await type(page, "#bt-form input[name=data]", "backtesting_py/GOOG.csv");
      await type(page, "#bt-form input[name=commission]", "0.002");
      await type(page, "#bt-form input[name='param.fast']", "10");
      await type(page, "#bt-form input[name='param.slow']", "30");
      await click(page, "#bt-form button[type=submit]");
      const report = await page.waitFor<string>(
        `document.querySelector("#jobs a[data-report]")?.href`,
        "a finished job",
      );
      const jobs = (await daemon.api("GET", "/api/v1/backtest")).body.jobs;
      assert.equal(jobs.length, 1);
      // The job holds the params as the command line would have them.
      assert.deepEqual([jobs[0].options.params.fast, jobs[0].options.params.slow].map(String), ["10", "30"]);
      const reportPage = await browser.newPage();
      await reportPage.navigate(report);
      await reportPage.waitFor(`document.querySelectorAll(".uplot canvas").length > 0`, "the report's charts");
      assert.match(await reportPage.evaluate<string>(`document.body.textContent`), /Sharpe/);
      const reportErrors = [...reportPage.errors];
      await reportPage.close();
      await page.send("Page.bringToFront");

      // Screenshots: desktop, then phone; key elements on screen, nothing scrolls sideways on the phone.
      await page.evaluate(`(() => {
        document.getElementById("add-strategy").open = false;
        document.getElementById("toast").hidden = true;
        scrollTo(0, 0);
        return true;
      })()`);
      const desktop = await page.screenshot();
      assert.deepEqual(pngSize(desktop), { width: 1440, height: 900 });
      await checkLayout(page, 1440);
      if (Deno.env.get("TRADEACTOR_UPDATE_SCREENSHOTS") === "1") await Deno.writeFile(SCREENSHOT, desktop);
      await page.setViewport(820, 1180, true);
      await page.waitFor(
        `[...document.querySelectorAll(".chart canvas")].every((c) => c.getBoundingClientRect().right <= innerWidth)`,
        "the charts resized to the tablet",
        10_000,
      );
      await checkLayout(page, 820);
      await page.setViewport(390, 844, true);
      // The charts follow their box's new width (a ResizeObserver), then the page is checked.
      await page.waitFor(
        `[...document.querySelectorAll(".chart canvas")].every((c) => c.getBoundingClientRect().right <= innerWidth)`,
        "the charts resized to the phone",
        10_000,
      );
      await checkLayout(page, 390);
      const phone = await page.screenshot();
      assert.deepEqual(pngSize(phone), { width: 390, height: 844 });
      if (Deno.env.get("TRADEACTOR_UPDATE_SCREENSHOTS") === "1") await Deno.writeFile(PHONE_SCREENSHOT, phone);
      await page.setViewport(1440, 900);

      // The layout is the user's: collapse a panel, move another up, and both hold after a reload.
      await click(page, "[data-panel=fills] [data-collapse]");
      await click(page, "[data-panel=alerts] [data-move='-1']");
      const order = () =>
        page.evaluate<string[]>(`[...document.querySelectorAll("#panels > .panel")].map((p) => p.dataset.panel)`);
      const arranged = await order();
      await page.navigate(`${daemon.control.url}/`);
      await page.waitFor(
        `document.getElementById("who").textContent.includes("admin")`,
        "still signed in after a reload",
      );
      assert.deepEqual(await order(), arranged);
      assert.equal(
        await page.evaluate(`document.querySelector("[data-panel=fills]").classList.contains("collapsed")`),
        true,
      );
      assert.equal(await page.evaluate(`document.querySelector("[data-panel=fills] .body").offsetHeight`), 0);

      // The kill switch, through its confirmation that says what it does.
      await click(page, "#kill");
      const confirmation = await dialogText(page);
      for (const word of [/cancel/, /flatten/, /halt/]) assert.match(confirmation, word);
      await click(page, "#dialog-ok");
      await page.waitFor(`document.getElementById("trading").textContent === "HALTED"`, "HALTED in the header");
      await page.waitFor(`!document.getElementById("banner").hidden`, "the banner");
      assert.match(await text(page, "#banner"), /HALTED/);
      assert.equal((await daemon.api("GET", "/api/v1/status")).body.risk.trading, "HALTED");
      // The log tail follows the daemon: the halt's warning arrives over /ws/logs.
      await page.waitFor(
        `/warn .*HALTED|kill/i.test(document.getElementById("log").textContent)`,
        "the halt in the log",
      );
      // Resume, with the reason it asks for.
      await click(page, "#resume");
      assert.match(await dialogText(page), /back to ACTIVE/);
      await type(page, "#dialog input[name=reason]", "checked the account");
      await click(page, "#dialog-ok");
      await page.waitFor(`document.getElementById("trading").textContent === "ACTIVE"`, "ACTIVE again");
      assert.equal((await daemon.api("GET", "/api/v1/status")).body.risk.trading, "ACTIVE");

      // The level filter: at "error" the warnings go.
      await type(page, "#log-level", "error");
      assert.doesNotMatch(await text(page, "#log"), / warn /);
      await type(page, "#log-level", "debug");
      assert.match(await text(page, "#log"), / warn /);

      // Health answers 503 by design while something is degraded (here: the stopped strategy, then HALTED), and the
      // browser logs every such response; that one is the banner's source, not a fault. Nothing else may appear.
      const degradedHealth = /status of 503 .*\/api\/v1\/system\/health\)$/;
      assert.deepEqual([...page.errors, ...reportErrors].filter((e) => !degradedHealth.test(e)), [], "console errors");
    } finally {
      await browser.close();
      await daemon.stop();
    }
  },
});

Deno.test({
  name: "dashboard in Chromium at max replay speed: keeps up, ends showing the daemon's equity; WebSocket messages/s",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-dashboard-max-" });
    // 5,000 hourly bars: long enough that the page is open for most of the replay.
    const daemon = await startDaemon(dir, "max", [{ file: `${DATA}/backtesting_py/EURUSD.csv`, symbol: "EURUSD" }]);
    const browser = await launch(CHROMIUM!);
    try {
      const page = await browser.newPage();
      await page.setViewport(1440, 900);
      await page.navigate(`${daemon.control.url}/`);
      // Until the replay has ended and the page has had a quiet second after it.
      await until("the replay's end", async () => {
        const health = (await daemon.api("GET", "/api/v1/system/health")).body;
        return health.feed?.state === "ended";
      });
      await sleep(1_500);
      const equity = (await daemon.api("GET", "/api/v1/status")).body.portfolio.total.equity as number;
      const shown = (equity: number) =>
        equity.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      await page.waitFor(
        `document.getElementById("kpi-equity").textContent === ${JSON.stringify(shown(equity))}`,
        `the page showing the daemon's final equity ${shown(equity)}`,
        10_000,
      );

      // Frames per channel (the status push at /ws excepted: it ticks once a second whatever happens).
      const urls = new Map<string, string>();
      for (const e of page.events) {
        if (e.method === "Network.webSocketCreated") urls.set(e.params.requestId as string, e.params.url as string);
      }
      const frames = page.events.filter((e) =>
        e.method === "Network.webSocketFrameReceived" && !/\/ws$/.test(urls.get(e.params.requestId as string) ?? "")
      ).map((e) => e.params.timestamp as number);
      assert.ok(frames.length > 100, `the page got ${frames.length} channel messages`);
      const perSecond = new Map<number, number>();
      for (const t of frames) perSecond.set(Math.floor(t), (perSecond.get(Math.floor(t)) ?? 0) + 1);
      const span = Math.max(1e-3, frames[frames.length - 1] - frames[0]);
      console.log(
        `max replay speed: ${frames.length} channel messages in ${span.toFixed(2)} s = ${
          (frames.length / span).toFixed(0)
        }/s on average, ${Math.max(...perSecond.values())} in the busiest second`,
      );
      assert.deepEqual(page.errors.filter((e) => !/status of 503 .*\/api\/v1\/system\/health\)$/.test(e)), []);
    } finally {
      await browser.close();
      await daemon.stop();
    }
  },
});

Deno.test({
  name: "dashboard in Chromium: the charts survive the daemon's restart (reconnect, fresh snapshots, more points)",
  ...opts,
  async fn() {
    const dir = await Deno.makeTempDir({ prefix: "live-dashboard-restart-" });
    // A fixed port, so the page's URL still points at the restarted daemon.
    const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
    const port = (listener.addr as Deno.NetAddr).port;
    listener.close();
    let daemon = await startDaemon(dir, PACED, undefined, port);
    const browser = await launch(CHROMIUM!);
    try {
      const page = await browser.newPage();
      await page.setViewport(1440, 900);
      await page.navigate(`${daemon.control.url}/`);
      const points = (id: string) =>
        page.evaluate<number>(`Number(document.getElementById("${id}").dataset.points ?? 0)`);
      await until("equity points", async () => (await points("chart-equity")) > 20);
      await daemon.stop(true);
      await page.waitFor(`document.getElementById("link").textContent.startsWith("reconnecting")`, "the page noticing");
      const before = await points("chart-equity");

      daemon = await startDaemon(dir, PACED, undefined, port);
      await page.waitFor(`document.getElementById("link").textContent === "live"`, "the page reconnected");
      // The history is rebuilt from the journal (the snapshot), then grows with the restarted replay.
      await until("more equity points after the restart", async () => (await points("chart-equity")) > before + 5);
      const candles = await until("candles after the restart", async () => (await points("chart-price")) || undefined);
      await until("more candles after the restart", async () => (await points("chart-price")) > candles + 5);
      const degradedHealth = /status of 503 .*\/api\/v1\/system\/health\)$/;
      // While the daemon was down the browser logged its refused connections; nothing else may appear.
      const refused = /ERR_CONNECTION_REFUSED|WebSocket connection to .* failed/;
      assert.deepEqual(page.errors.filter((e) => !degradedHealth.test(e) && !refused.test(e)), [], "console errors");
    } finally {
      await browser.close();
      await daemon.stop();
    }
  },
});
