/**
 * `deno task tui`: watches a running daemon through its control endpoint, refreshing every second.
 * The alternate screen is used and restored on exit; rendering is a pure function (render.ts).
 */
import { COLOR, type Frame, type Key, onKey, PLAIN, render, rowCount, type UiState } from "./render.ts";
import type { StatusDocument } from "./status.ts";

export interface TuiOptions {
  readonly url: string;
  readonly token?: string;
  readonly refreshMs?: number;
}

const KEYS: Record<string, Key> = {
  j: "j",
  k: "k",
  h: "h",
  l: "l",
  "\t": "tab",
  g: "g",
  G: "G",
  r: "r",
  K: "K",
  q: "q",
};

async function fetchStatus(url: string, token?: string): Promise<StatusDocument> {
  const res = await fetch(`${url}/api/v1/status`, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(3_000),
  });
  if (!res.ok) {
    await res.body?.cancel();
    throw new Error(`GET /api/v1/status answered ${res.status}${res.status === 401 ? " (a token is needed)" : ""}`);
  }
  return await res.json();
}

export async function runTui(options: TuiOptions): Promise<number> {
  const encoder = new TextEncoder();
  const write = (s: string) => Deno.stdout.writeSync(encoder.encode(s));
  const style = Deno.env.get("NO_COLOR") ? PLAIN : COLOR;
  let frame: Frame = { status: undefined, url: options.url };
  let ui: UiState = { pane: "positions", row: 0, confirmKill: false };
  let running = true;

  const draw = () => {
    const { columns } = Deno.consoleSize();
    // Home the cursor and clear below, rather than clearing the screen: no flicker at 1 s refresh.
    write(`\x1b[H${render(frame, ui, style, Date.now(), columns).replaceAll("\n", "\x1b[K\n")}\x1b[K\x1b[J`);
  };
  const refresh = async () => {
    try {
      frame = {
        ...frame,
        status: await fetchStatus(options.url, options.token),
        error: undefined,
        fetchedAt: Date.now(),
      };
    } catch (err) {
      frame = { ...frame, error: `cannot reach the daemon: ${(err as Error).message}` };
    }
    if (running) draw();
  };

  Deno.stdin.setRaw(true);
  write("\x1b[?1049h\x1b[?25l");
  const timer = setInterval(refresh, options.refreshMs ?? 1_000);
  await refresh();
  try {
    const buffer = new Uint8Array(16);
    while (running) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      const text = new TextDecoder().decode(buffer.subarray(0, n));
      if (text === "\x03") break; // Ctrl-C
      const { ui: next, action } = onKey(ui, KEYS[text] ?? "other", rowCount(frame, ui.pane));
      ui = next;
      if (action.type === "quit") break;
      if (action.type === "refresh") await refresh();
      if (action.type === "kill") {
        await fetch(`${options.url}/api/v1/system/kill`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
          },
          body: JSON.stringify({ reason: "kill switch from the terminal UI" }),
        }).then(async (r) => {
          const answer = await r.json().catch(() => ({})) as { error?: string };
          if (!r.ok) ui = { ...ui, message: `kill refused (${r.status}): ${answer.error ?? "no reason given"}` };
        }).catch((err) => (ui = { ...ui, message: `kill failed: ${err.message}` }));
        await refresh();
      }
      draw();
    }
  } finally {
    running = false;
    clearInterval(timer);
    write("\x1b[?25h\x1b[?1049l");
    Deno.stdin.setRaw(false);
  }
  return 0;
}
