/**
 * `deno task tui`: the driver. Polls the daemon's /api/v1 every second, reads keys in raw mode, and paints only the
 * lines that changed on the alternate screen (restored on exit). Everything it shows is render.ts of the state;
 * everything a key does is keys.ts; this file only does the I/O.
 */
import { type Api, createApi } from "./api.ts";
import type { Command } from "./commands.ts";
import { decodeKeys, type Effect, initialUi, keepSelection, onKey, type UiState, type View } from "./keys.ts";
import { emptySnapshot, type Snapshot } from "./model.ts";
import { type PaneId, PANES, type Row } from "./panes.ts";
import { paneRows, render } from "./render.ts";
import { createPainter, ENTER, LEAVE } from "./screen.ts";
import { styleFor } from "./text.ts";

export interface TuiOptions {
  readonly url: string;
  readonly token?: string;
  readonly refreshMs?: number;
}

const WHO = "from the terminal UI";

/** Runs a confirmed command against the daemon; the line to show. */
export async function runCommand(api: Api, c: Command): Promise<{ text: string; error: boolean }> {
  const said = (r: { ok: boolean; status: number; error?: string }, done: string) =>
    r.ok
      ? { text: done, error: false }
      // Status 0: the daemon was not reached; its error says so.
      : { text: r.status === 0 ? `${r.error}` : `refused (${r.status}): ${r.error ?? "no reason given"}`, error: true };
  switch (c.type) {
    case "stop":
      return said(
        await api.stop(c.id, c.flatten, `stopped ${WHO}`),
        `${c.id} stopped${c.flatten ? ", positions flattening" : ""}`,
      );
    case "start":
      return said(await api.start(c.id, `started ${WHO}`), `${c.id} started`);
    case "kill":
      return said(await api.kill(`kill switch ${WHO}`, c.flatten), "kill switch sent: trading HALTED");
    case "resume":
      return said(await api.resume(c.reason), "resume sent: trading ACTIVE");
    case "level":
    case "strategy":
    case "help":
    case "quit":
      return { text: "", error: false };
  }
}

function consoleSize(): { width: number; height: number } {
  try {
    const { columns, rows } = Deno.consoleSize();
    // A pseudo-terminal nobody sized (script(1) with piped input) says 0×0: draw a standard screen instead.
    if (columns >= 20 && rows >= 5) return { width: columns, height: rows };
  } catch { /* not a terminal: the same */ }
  return { width: 120, height: 40 };
}

export async function runTui(options: TuiOptions): Promise<number> {
  const encoder = new TextEncoder();
  const write = (s: string) => {
    if (s) Deno.stdout.writeSync(encoder.encode(s));
  };
  const style = styleFor(Deno.stdout.isTerminal(), Deno.env.get("NO_COLOR"));
  const api = createApi(options);
  const painter = createPainter();
  let snapshot: Snapshot = emptySnapshot(options.url);
  let ui: UiState = initialUi();
  let running = true;

  const rowsOf = (s: Snapshot) =>
    Object.fromEntries(PANES.map((p) => [p, paneRows(s, ui, style, Date.now(), p)])) as Record<PaneId, readonly Row[]>;
  const view = (): View => ({ snapshot, rows: (pane: PaneId) => paneRows(snapshot, ui, style, Date.now(), pane) });
  const draw = () => {
    if (!running) return;
    const size = consoleSize();
    write(painter.frame(render(snapshot, ui, style, Date.now(), size), size.width, size.height));
  };
  let polling: Promise<void> | undefined;
  const refresh = () =>
    polling ??= (async () => {
      try {
        const before = rowsOf(snapshot);
        snapshot = await api.poll(snapshot, ui.log, Date.now);
        ui = keepSelection(ui, (pane) => before[pane], (pane) => paneRows(snapshot, ui, style, Date.now(), pane));
      } catch (err) {
        // poll keeps each call's failure to itself; anything else is shown, never left to kill the terminal.
        snapshot = { ...snapshot, errors: [`refresh failed: ${(err as Error).message}`] };
      } finally {
        polling = undefined;
      }
      draw();
    })();

  const effect = async (e: Effect): Promise<boolean> => {
    switch (e.type) {
      case "none":
        return true;
      case "quit":
        return false;
      case "refresh":
        await refresh();
        return true;
      case "run": {
        ui = { ...ui, message: { text: "sending …", error: false } };
        draw();
        const said = await runCommand(api, e.command);
        ui = { ...ui, message: said };
        await refresh();
        return true;
      }
    }
  };

  Deno.stdin.setRaw(true);
  write(ENTER);
  const onResize = () => draw();
  try {
    Deno.addSignalListener("SIGWINCH", onResize);
  } catch { /* no SIGWINCH here: the 1 s frame catches up */ }
  const timer = setInterval(() => void refresh(), options.refreshMs ?? 1_000);
  draw();
  void refresh();
  try {
    const buffer = new Uint8Array(1024);
    const decoder = new TextDecoder();
    reading: while (running) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      for (const key of decodeKeys(decoder.decode(buffer.subarray(0, n)))) {
        const before = ui.log;
        const result = onKey(ui, key, view());
        ui = result.ui;
        if (ui.log !== before) {
          // The daemon filters the log: a new filter starts a new tail.
          snapshot = { ...snapshot, log: { kind: "waiting" } };
          void refresh();
        }
        draw();
        if (!(await effect(result.effect))) break reading;
        draw();
      }
    }
  } finally {
    running = false;
    clearInterval(timer);
    try {
      Deno.removeSignalListener("SIGWINCH", onResize);
    } catch { /* never added */ }
    write(LEAVE);
    Deno.stdin.setRaw(false);
  }
  return 0;
}
