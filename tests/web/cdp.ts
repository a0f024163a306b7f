/**
 * A small Chrome DevTools Protocol client over Deno's WebSocket, for the browser tests: launches the system Chromium
 * headless (its own profile in a temp dir), opens a page target, sends commands, waits for events, and collects every
 * console error, uncaught exception and browser log error of the page.
 */

export const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** The Chromium to drive, or undefined (the tests then skip and say why). CHROMIUM_PATH, when set, is the only one. */
export function findChromium(): string | undefined {
  const given = Deno.env.get("CHROMIUM_PATH");
  const candidates = given ? [given] : CHROMIUM_CANDIDATES;
  for (const path of candidates) {
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not there */ }
  }
  return undefined;
}

type Json = Record<string, unknown>;

export interface CdpEvent {
  readonly method: string;
  readonly params: Json;
}

/** One page target's session. */
export interface Page {
  send<T = Json>(method: string, params?: Json): Promise<T>;
  /** Resolves with the first event of `method` (after now) that `match` accepts. */
  waitEvent(method: string, match?: (params: Json) => boolean, timeoutMs?: number): Promise<Json>;
  /** Every event received so far. */
  readonly events: CdpEvent[];
  /** Console errors, exceptions and log errors seen so far, as text. */
  readonly errors: string[];
  /** Evaluates an expression (awaiting a promise) and returns its JSON value; throws on an exception. */
  evaluate<T = unknown>(expression: string): Promise<T>;
  /** Polls `expression` until it is truthy; returns its value. */
  waitFor<T = unknown>(expression: string, what: string, timeoutMs?: number): Promise<T>;
  navigate(url: string): Promise<void>;
  screenshot(): Promise<Uint8Array>;
  setViewport(width: number, height: number, mobile?: boolean): Promise<void>;
  /** Closes the tab (a background tab runs no animation frames or resize observers: close what is done). */
  close(): Promise<void>;
}

export interface Browser {
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

async function devtoolsUrl(stderr: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stderr.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`Chromium exited before it listened; it said: ${text.slice(-2000)}`);
    text += value;
    const m = /DevTools listening on (ws:\/\/\S+)/.exec(text);
    if (m) {
      // Keep draining stderr so Chromium never blocks on a full pipe.
      (async () => {
        try {
          for (;;) if ((await reader.read()).done) break;
        } catch { /* closed */ }
      })();
      return m[1];
    }
  }
}

export async function launch(executable: string): Promise<Browser> {
  const profile = await Deno.makeTempDir({ prefix: "tradeactor-chromium-" });
  const child = new Deno.Command(executable, {
    args: [
      "--headless=new",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      "--no-sandbox",
      "--no-first-run",
      "--no-default-browser-check",
      "--disable-gpu",
      "--disable-extensions",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--mute-audio",
      "--hide-scrollbars",
      "about:blank",
    ],
    stdin: "null",
    stdout: "null",
    stderr: "piped",
    // Chromium's own temporary files go inside the profile, removed with it.
    env: { TMPDIR: profile },
  }).spawn();
  let wsUrl: string;
  try {
    wsUrl = await devtoolsUrl(child.stderr);
  } catch (err) {
    try {
      child.kill("SIGKILL");
    } catch { /* gone */ }
    await Deno.remove(profile, { recursive: true }).catch(() => {});
    throw err;
  }
  const socket = new WebSocket(wsUrl);
  await new Promise<void>((resolve, reject) => {
    socket.onopen = () => resolve();
    socket.onerror = () => reject(new Error(`cannot connect to Chromium's DevTools at ${wsUrl}`));
  });
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: Json) => void; reject: (e: Error) => void; method: string }>();
  const sessions = new Map<string, (e: CdpEvent) => void>();
  socket.onmessage = (e) => {
    const msg = JSON.parse(e.data as string);
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${p.method}: ${msg.error.message}`));
      else p?.resolve(msg.result ?? {});
    } else if (msg.sessionId) sessions.get(msg.sessionId)?.({ method: msg.method, params: msg.params ?? {} });
  };
  const send = (method: string, params: Json = {}, sessionId?: string): Promise<Json> =>
    new Promise((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve, reject, method });
      socket.send(JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) }));
    });

  const newPage = async (): Promise<Page> => {
    const { targetId } = await send("Target.createTarget", { url: "about:blank" }) as { targetId: string };
    const { sessionId } = await send("Target.attachToTarget", { targetId, flatten: true }) as { sessionId: string };
    const events: CdpEvent[] = [];
    const errors: string[] = [];
    const waiters = new Set<(e: CdpEvent) => void>();
    sessions.set(sessionId, (event) => {
      events.push(event);
      const p = event.params as Json & {
        type?: string;
        args?: { value?: unknown; description?: string }[];
        exceptionDetails?: { text?: string; exception?: { description?: string } };
        entry?: { level?: string; text?: string; url?: string };
      };
      if (event.method === "Runtime.consoleAPICalled" && p.type === "error") {
        errors.push(`console.error: ${(p.args ?? []).map((a) => a.description ?? String(a.value)).join(" ")}`);
      } else if (event.method === "Runtime.exceptionThrown") {
        errors.push(`exception: ${p.exceptionDetails?.exception?.description ?? p.exceptionDetails?.text}`);
      } else if (event.method === "Log.entryAdded" && p.entry?.level === "error") {
        errors.push(`log: ${p.entry.text} (${p.entry.url ?? ""})`);
      }
      for (const w of [...waiters]) w(event);
    });
    const page: Page = {
      send: <T>(method: string, params?: Json) => send(method, params, sessionId) as Promise<T>,
      events,
      errors,
      waitEvent(method, match = () => true, timeoutMs = 30_000) {
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            waiters.delete(waiter);
            reject(new Error(`timed out waiting for ${method}`));
          }, timeoutMs);
          const waiter = (e: CdpEvent) => {
            if (e.method !== method || !match(e.params)) return;
            clearTimeout(timer);
            waiters.delete(waiter);
            resolve(e.params);
          };
          waiters.add(waiter);
        });
      },
      async evaluate<T>(expression: string) {
        const r = await page.send<
          { result: { value?: T }; exceptionDetails?: { exception?: { description?: string } } }
        >(
          "Runtime.evaluate",
          { expression, awaitPromise: true, returnByValue: true },
        );
        if (r.exceptionDetails) {
          throw new Error(`${expression.slice(0, 80)}: ${r.exceptionDetails.exception?.description ?? "exception"}`);
        }
        return r.result.value as T;
      },
      async waitFor<T>(expression: string, what: string, timeoutMs = 60_000) {
        const start = Date.now();
        for (;;) {
          const value = await page.evaluate<T>(expression).catch(() => undefined);
          if (value) return value;
          if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
          await new Promise((r) => setTimeout(r, 100));
        }
      },
      async navigate(url) {
        const loaded = page.waitEvent("Page.loadEventFired");
        const r = await page.send<{ errorText?: string }>("Page.navigate", { url });
        if (r.errorText) throw new Error(`cannot open ${url}: ${r.errorText}`);
        await loaded;
      },
      async screenshot() {
        const { data } = await page.send<{ data: string }>("Page.captureScreenshot", { format: "png" });
        return Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
      },
      async close() {
        await send("Target.closeTarget", { targetId });
        sessions.delete(sessionId);
      },
      async setViewport(width, height, mobile = false) {
        await page.send("Emulation.setDeviceMetricsOverride", {
          width,
          height,
          deviceScaleFactor: 1,
          mobile,
        });
      },
    };
    await Promise.all([
      page.send("Page.enable"),
      page.send("Runtime.enable"),
      page.send("Log.enable"),
      page.send("Network.enable"),
    ]);
    return page;
  };

  return {
    newPage,
    async close() {
      try {
        await Promise.race([send("Browser.close"), new Promise((r) => setTimeout(r, 3_000))]);
      } catch { /* already gone */ }
      socket.close();
      // A browser that closed cleans up after itself; one that does not within 5 s is killed.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const exited = await Promise.race([
        child.status.then(() => true),
        new Promise<false>((r) => (timer = setTimeout(() => r(false), 5_000))),
      ]);
      clearTimeout(timer);
      if (!exited) {
        try {
          child.kill("SIGKILL");
        } catch { /* exited */ }
        await child.status;
      }
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  };
}
