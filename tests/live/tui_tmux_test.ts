// deno-lint-ignore-file no-control-regex -- the test reads the escape codes tmux captured
/**
 * The TUI as a person uses it: a real paper daemon, `deno task tui --config …` in a 160×48 tmux session, keys sent
 * with `tmux send-keys`, and every assertion on what `tmux capture-pane` shows (with `-e`, the colours and reverse
 * video too), checked against the daemon's API where the TUI acts.
 *
 * Needs tmux; without it the test is skipped, saying so (it never passes without having run). Its own tmux server
 * (`tmux -L <unique>`), killed at the end.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, DENO_JSON, GOOG, paperConfig, sleep, writeConfig } from "./helpers.ts";
import { reversed } from "../actors/tui/sgr.ts";

const MAIN = fileURLToPath(new URL("../../main.ts", import.meta.url));
const ROOT = fileURLToPath(new URL("../../", import.meta.url));

async function has(program: string): Promise<boolean> {
  try {
    return (await new Deno.Command(program, { args: ["-V"], stdout: "null", stderr: "null" }).output()).success;
  } catch {
    return false;
  }
}

const tmuxHere = await has("tmux");
if (!tmuxHere) {
  console.warn("SKIPPED tui tmux test: tmux is not installed (apt-get install tmux); nothing was tested");
}

type Doc = Record<string, unknown>;

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms; // hang guard only
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

function tmux(socket: string) {
  const run = async (...args: string[]) => {
    const out = await new Deno.Command("tmux", { args: ["-L", socket, ...args], stdout: "piped", stderr: "piped" })
      .output();
    const text = new TextDecoder().decode(out.stdout);
    if (!out.success) throw new Error(`tmux ${args.join(" ")}: ${new TextDecoder().decode(out.stderr)}`);
    return text;
  };
  return {
    run,
    /** The screen as a person sees it (text), or with its escape codes (`-e`). */
    screen: (target: string, escapes = false) => run("capture-pane", "-p", ...(escapes ? ["-e"] : []), "-t", target),
    /** Keys as tmux names them (`Enter`, `Escape`) or literal text (`-l`). */
    keys: (target: string, ...keys: string[]) => run("send-keys", "-t", target, ...keys),
    type: (target: string, text: string) => run("send-keys", "-t", target, "-l", text),
    kill: () => run("kill-server").catch(() => ""),
  };
}

Deno.test({
  name: "tui in tmux: panes, numbers, vim keys, help, :stop and :kill with confirmation, the log, :q",
  ignore: !tmuxHere,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async (t) => {
    const dir = await Deno.makeTempDir({ prefix: "live-tui-" });
    const configPath = await writeConfig(
      dir,
      paperConfig(dir, {
        exitAtEnd: false,
        venue: { type: "paper", name: "paper", initialCash: 20_000, commission: 0.002, defaultStep: 1 },
        feed: { type: "replay", sources: [{ file: GOOG, symbol: "GOOG" }], speed: "max", limit: 400 },
        strategies: [
          { id: "ma-goog", strategy: "sma_cross", params: { fast: 10, slow: 20 }, capital: 10_000 },
          { id: "ma-fast", strategy: "sma_cross", params: { fast: 5, slow: 15 }, capital: 10_000 },
        ],
      }),
    );
    const daemon = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", DENO_JSON, CLI, "run", "--config", configPath, "--no-watchdog"],
      stdin: "null",
      stdout: "null",
      stderr: "piped",
      env: { TRADEACTOR_LOG: "info" },
    }).spawn();
    // Drained, or a chatty daemon would block on a full pipe; the tail is kept for a failure's message.
    let daemonLog = "";
    const drained = daemon.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
      new WritableStream({ write: (chunk) => void (daemonLog = (daemonLog + chunk).slice(-4_000)) }),
    ).catch(() => {});
    const socket = `tradeactor-tui-${Deno.pid}-${Date.now()}`;
    const tm = tmux(socket);
    const pane = "tui";
    try {
      const { url, token } = await until("control.json", async () => {
        try {
          return JSON.parse(await Deno.readTextFile(join(dir, "control.json"))) as { url: string; token: string };
        } catch {
          return undefined;
        }
      });
      const api = async (path: string) =>
        (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.json())) as Doc;
      await until(
        "the replay's end",
        async () => ((await api("/api/v1/system/health")).feed as Doc)?.state === "ended",
      );

      // As a person starts it, from the repository, with colours (NO_COLOR unset) in a 160×48 terminal.
      const command = `cd ${ROOT} && env -u NO_COLOR ${Deno.execPath()} run -A --config ${DENO_JSON} ${MAIN} tui ` +
        `--config ${configPath}; echo "TUI EXITED $?"; sleep 600`;
      await tm.run("new-session", "-d", "-s", pane, "-x", "160", "-y", "48", command);
      const screen = () => tm.screen(pane);
      const see = (what: string | RegExp, ms?: number) =>
        until(`${what} on screen`, async () => {
          const text = await screen();
          return (typeof what === "string" ? text.includes(what) : what.test(text)) ? text : undefined;
        }, ms).catch(async (err) => {
          throw new Error(`${err.message}\n--- screen ---\n${await screen()}\n--- daemon ---\n${daemonLog}`);
        });

      await t.step("the panes and the daemon's numbers", async () => {
        const text = await see(/Strategies \(2\)[\s\S]*ma-fast[\s\S]*ma-goog/);
        const strategies = (await api("/api/v1/strategies")).strategies as Doc[];
        const total = ((await api("/api/v1/status")).portfolio as Doc).total as Doc;
        const money = (n: unknown) =>
          (n as number).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
        assert.match(text, new RegExp(`Equity ${money(total.equity).replace(/[.,]/g, "\\$&")}`));
        for (const s of strategies) {
          assert.match(text, new RegExp(`${s.id} +ACTIVE +${money(s.equity).replace(/[.,]/g, "\\$&")}`));
        }
        for (
          const title of ["Positions (", "Open orders (", "Strategies (", "Risk  ACTIVE", "Alerts (", "Log  info+"]
        ) {
          assert.ok(text.includes(title), `the ${title} pane`);
        }
        assert.match(text, /Trading ACTIVE/);
        assert.match(text, /Venue paper ready/);
        assert.match(text, /ma-fast +drawdown +\d+\.\d%/, "risk measures per strategy");
        assert.match(text, /\? help +q quit/, "the footer");
      });

      await t.step(
        "l moves to the strategies pane; j/k move the selection, reversed across the whole row",
        async () => {
          await tm.keys(pane, "l", "l");
          await see("▶ Strategies (2)");
          await see(/^>ma-fast/m);
          // What the TUI writes to the terminal from here: the move must overwrite lines, never clear the screen.
          const bytes = join(dir, "pane-output");
          await tm.run("pipe-pane", "-t", pane, "-o", `cat >> ${bytes}`);
          await tm.keys(pane, "j");
          const text = await see(/^>ma-goog/m);
          assert.doesNotMatch(text, /^>ma-fast/m, "one selected row");
          await sleep(1_500); // a refresh or two go by too
          await tm.run("pipe-pane", "-t", pane);
          const written = await Deno.readTextFile(bytes);
          assert.ok(written.includes("ma-goog"), "the output was recorded");
          assert.doesNotMatch(written, /\x1b\[[23]?J/, "no screen clear between frames");
          const rewritten = written.match(/\x1b\[\d+;1H/g)?.length ?? 0;
          assert.ok(rewritten > 0 && rewritten < 48, `${rewritten} lines rewritten, not the whole screen each frame`);
          const coloured = (await tm.screen(pane, true)).split("\n");
          const row = coloured.find((l) => l.replace(/\x1b\[[0-9;:]*m/g, "").startsWith(">ma-goog"))!;
          assert.match(row, /\x1b\[3[12]m/, "the row holds a coloured number");
          const flags = reversed(row);
          const edge = row.replace(/\x1b\[[0-9;:]*m/g, "").indexOf("│");
          assert.ok(edge >= 79, `the pane is ${edge} columns wide`);
          assert.ok(flags.slice(0, edge).every(Boolean), `the highlight stops at column ${flags.indexOf(false)}`);
          assert.equal(flags[edge], false, "and not beyond the pane");
          await tm.keys(pane, "k");
          await see(/^>ma-fast/m);
        },
      );

      await t.step("? shows the help from the key table; any key closes it", async () => {
        await tm.keys(pane, "?");
        const text = await see("tradeactor TUI: help");
        for (const line of [/j, down +next row/, /K +kill switch/, /:stop ID \[flatten\]/, /:resume REASON/]) {
          assert.match(text, line);
        }
        await tm.keys(pane, "Escape");
        await until("the help to close", async () => !(await screen()).includes("tradeactor TUI: help"));
      });

      await t.step(":stop ID asks, then stops the strategy (seen through the API)", async () => {
        await tm.type(pane, ":stop ma-fast");
        await see(":stop ma-fast█");
        await tm.keys(pane, "Enter");
        const asked = await see("Press y to confirm");
        assert.match(asked, /Stop ma-fast: cancel its open orders \(\d+\), keep its positions/);
        const status = async () =>
          ((await api("/api/v1/strategies")).strategies as Doc[]).find((s) => s.id === "ma-fast")?.status;
        assert.equal(await status(), "ACTIVE", "nothing happens before the y");
        await tm.keys(pane, "y");
        await until("ma-fast STOPPED in the API", async () => (await status()) === "STOPPED");
        await see("ma-fast stopped");
        await see(/ma-fast +STOPPED/);
        // And back: :start asks too, then the strategy is ACTIVE again.
        await tm.type(pane, ":start ma-fast");
        await tm.keys(pane, "Enter");
        await see("Start ma-fast: it may place orders again. Press y to confirm");
        assert.equal(await status(), "STOPPED", "nothing happens before the y");
        await tm.keys(pane, "y");
        await until("ma-fast ACTIVE in the API", async () => (await status()) === "ACTIVE");
        await see(/ma-fast +ACTIVE/);
      });

      await t.step("the log pane follows the daemon's log", async () => {
        const res = await fetch(`${url}/api/v1/logs?level=info&limit=5`, {
          headers: { authorization: `Bearer ${token}` },
        });
        assert.equal(res.status, 200, "the daemon serves its log");
        const newest = ((await res.json()) as { items: { msg: string; actor: string }[] }).items;
        assert.ok(newest.length > 0, "the daemon logged something at info");
        const text = await see(/Log {2}info\+ {2}all strategies \([1-9]/);
        const escape = (x: string) => x.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
        assert.ok(
          newest.some((l) => new RegExp(`${escape(l.actor)} +${escape(l.msg)}`).test(text)),
          `one of the daemon's newest lines on screen: ${JSON.stringify(newest.map((l) => l.msg))}`,
        );
        /** The log pane's rows on screen. */
        const logRows = (screenText: string) => {
          const lines = screenText.split("\n");
          const title = lines.findIndex((l) => /Log {2}\w+\+/.test(l));
          return lines.slice(title + 2, -2).filter((l) => /^[ >]\S/.test(l));
        };
        // Focus the log (l from strategies: risk, alerts, log), then search it.
        await tm.keys(pane, "l", "l", "l");
        await see(/▶ Log /);
        await tm.type(pane, "/ma-goog-");
        await tm.keys(pane, "Enter");
        const found = await see(/Log {2}info\+ {2}all strategies \(\d+ of \d+, \/ma-goog-\)/);
        const rows = logRows(found);
        assert.ok(rows.length > 0 && rows.every((r) => r.includes("ma-goog-")), rows.join("\n"));
        await tm.keys(pane, "Escape");
        await see(/Log {2}info\+ {2}all strategies \(\d+\)/);
        // The level filter: the daemon is asked for warn and above only.
        await tm.type(pane, ":level warn");
        await tm.keys(pane, "Enter");
        const warned = await see(/Log {2}warn\+ {2}all strategies/);
        assert.ok(logRows(warned).every((r) => !/ info /.test(r)), "no info line at warn+");
        await tm.keys(pane, "L", "L", "L");
        await see(/Log {2}info\+ {2}all strategies \([1-9]/);
      });

      await t.step(":kill asks, saying what happens, then the daemon is HALTED", async () => {
        await tm.type(pane, ":kill");
        await tm.keys(pane, "Enter");
        const asked = await see("Press y to confirm");
        assert.match(asked, /KILL SWITCH: cancel every open order \(\d+\), FLATTEN every position/);
        assert.match(asked, /HALT trading until :resume/);
        await tm.keys(pane, "n");
        await see("cancelled: nothing was sent");
        assert.equal((await api("/api/v1/risk/metrics")).trading, "ACTIVE", "n sends nothing");
        await tm.type(pane, ":kill");
        await tm.keys(pane, "Enter");
        await see("Press y to confirm");
        await tm.keys(pane, "y");
        await until("HALTED in the API", async () => (await api("/api/v1/risk/metrics")).trading === "HALTED");
        await see("Trading HALTED");
        await see("kill switch sent");
      });

      await t.step(":resume REASON asks, then the daemon trades again (ACTIVE)", async () => {
        await tm.type(pane, ":resume checked in tmux");
        await tm.keys(pane, "Enter");
        await see(/Resume: trading goes back to ACTIVE .*\(reason: checked in tmux\)/);
        assert.equal((await api("/api/v1/risk/metrics")).trading, "HALTED", "nothing happens before the y");
        await tm.keys(pane, "y");
        await until("ACTIVE in the API", async () => (await api("/api/v1/risk/metrics")).trading === "ACTIVE");
        await see("Trading ACTIVE");
      });

      await t.step(":q quits and gives the terminal back", async () => {
        await tm.type(pane, ":q");
        await tm.keys(pane, "Enter");
        const text = await see("TUI EXITED 0");
        assert.doesNotMatch(text, /Strategies \(2\)/, "the alternate screen is gone");
      });

      await t.step("NO_COLOR: the same screen without a colour code; the cursor is a >", async () => {
        const plain = `cd ${ROOT} && NO_COLOR=1 ${Deno.execPath()} run -A --config ${DENO_JSON} ${MAIN} tui ` +
          `--config ${configPath}; sleep 600`;
        await tm.run("new-session", "-d", "-s", "plain", "-x", "160", "-y", "48", plain);
        await until("the plain frame", async () => (await tm.screen("plain")).includes("Strategies (2)"));
        const text = await tm.screen("plain", true);
        assert.match(text, /^>/m, "the selection is marked without colour");
        assert.doesNotMatch(text, /\x1b\[[0-9;]*m/, "no colour, bold or reverse code");
        await tm.keys("plain", "q");
      });
    } finally {
      await tm.kill();
      try {
        daemon.kill("SIGTERM");
      } catch { /* already gone */ }
      await daemon.status;
      await drained;
      await Deno.remove(dir, { recursive: true }).catch(() => {});
    }
  },
});
