/**
 * The daemon child's command line from source and inside a compiled binary, and the compile task's --include list
 * covering every module the daemon loads by URL at run time (Worker entries, actors, built-in strategies).
 */
import assert from "node:assert/strict";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { DAEMON_V8_FLAGS, daemonCommand } from "../../../actors/system/daemon_command.ts";
import { resolveLiveConfig } from "../../../actors/system/live_config.ts";
import { buildLiveTree } from "../../../actors/system/live_tree.ts";
import type { ChildSpec } from "../../../actors/runtime/spec.ts";
import { BUILT_INS } from "../../../strategies/registry.ts";
import { DENO_JSON, paperConfig, ROOT, writeConfig } from "../../live/helpers.ts";

const SOURCE = { module: "/app/cli/live.ts", denoJson: "/app/deno.json" };
const ARGS = ["run", "--config", "/etc/tradeactor/live.json", "--paper"];

Deno.test("daemon command: from source, deno runs cli/live.ts with the project config and the daemon's V8 flags", () => {
  const argv = daemonCommand(ARGS, { standalone: false, execPath: "/usr/bin/deno" }, SOURCE);
  assert.deepEqual(argv, [
    "/usr/bin/deno",
    "run",
    "-A",
    `--v8-flags=${DAEMON_V8_FLAGS.join(",")}`,
    "--config",
    "/app/deno.json",
    "/app/cli/live.ts",
    ...ARGS,
    "--no-watchdog",
  ]);
});

Deno.test("daemon command: a compiled binary re-executes itself with its own live subcommand, never `run`", () => {
  const argv = daemonCommand(ARGS, { standalone: true, execPath: "/opt/tradeactor/bin/tradeactor" }, SOURCE);
  assert.deepEqual(argv, ["/opt/tradeactor/bin/tradeactor", "live", ...ARGS, "--no-watchdog"]);
  assert.ok(!argv.includes("/app/cli/live.ts") && !argv.includes("/app/deno.json"));
});

Deno.test("daemon command: the compiled-mode argv is accepted by the binary's entry (main.ts stands in for it)", async () => {
  const dir = await Deno.makeTempDir({ prefix: "daemon-cmd-" });
  try {
    // What `deno compile … main.ts` produces behaves like this script: main.ts with the binary's arguments.
    const shim = join(dir, "tradeactor");
    const main = fileURLToPath(new URL("main.ts", ROOT));
    await Deno.writeTextFile(
      shim,
      `#!/bin/sh\nexec "${Deno.execPath()}" run -A --config "${DENO_JSON}" "${main}" "$@"\n`,
    );
    await Deno.chmod(shim, 0o755);
    const config = await writeConfig(dir, paperConfig(dir));
    const [cmd, ...args] = daemonCommand(["check", "--config", config], { standalone: true, execPath: shim }, SOURCE);
    const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, text);
    assert.match(text, /live\.json: ok \(paper, venue paper, 1 strategies\)/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Every `module` URL in a supervision tree. */
function modules(spec: ChildSpec): string[] {
  return spec.kind === "actor" ? [spec.module] : spec.children.flatMap(modules);
}

/** Every source file that starts a Worker, and the module that Worker loads (by URL: `deno compile` cannot see it). */
const WORKER_MODULES: Readonly<Record<string, string>> = {
  "actors/runtime/worker_host.ts": "actors/runtime/worker_entry.ts",
  "backtest/optimize/pool.ts": "backtest/optimize/worker.ts",
  "backtest/report/equity_file.ts": "backtest/report/equity_worker.ts",
  "cli/backtest_jobs/pool.ts": "cli/backtest_jobs/worker.ts",
};

Deno.test("daemon command: every `new Worker(` in the product is known, so its module is checked below", async () => {
  const root = fileURLToPath(ROOT);
  const starters: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(join(root, dir))) {
      const path = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory && !e.name.startsWith(".") && !["tests", "bench", "node_modules", "dist"].includes(e.name)) {
        await walk(path);
      } else if (e.isFile && e.name.endsWith(".ts") && /new Worker\(/.test(await Deno.readTextFile(join(root, path)))) {
        starters.push(path);
      }
    }
  };
  await walk("");
  assert.deepEqual(starters.sort(), Object.keys(WORKER_MODULES).sort());
});

Deno.test("daemon command: `deno task compile` includes every module the daemon and its Workers import by URL", async () => {
  const task: string = JSON.parse(await Deno.readTextFile(DENO_JSON)).tasks.compile;
  // The binary's baked-in V8 flags are the daemon child's.
  assert.ok(task.includes(`--v8-flags=${DAEMON_V8_FLAGS.join(",")} `), task);
  const includes = [...task.matchAll(/--include[= ](\S+)/g)].map((m) => m[1].replace(/\/$/, ""));
  assert.ok(includes.length > 0, task);
  const dir = await Deno.makeTempDir({ prefix: "daemon-cmd-" });
  try {
    const config = await resolveLiveConfig(paperConfig(dir), { env: () => undefined });
    const root = fileURLToPath(ROOT);
    const loaded = [
      ...modules(buildLiveTree(config)),
      ...Object.values(BUILT_INS),
      new URL("actors/runtime/worker_entry.ts", ROOT).href,
      ...Object.values(WORKER_MODULES).map((m) => new URL(m, ROOT).href),
    ].map((url) => relative(root, fileURLToPath(url)));
    assert.ok(loaded.some((p) => p.startsWith("actors/strategy_supervisor/")), "the tree was read");
    // The per-target commands in deploy/README.md build the same binary as the task.
    const readme = await Deno.readTextFile(fileURLToPath(new URL("deploy/README.md", ROOT)));
    const compiles = readme.split("\n").filter((l) => l.startsWith("deno compile "));
    assert.deepEqual(compiles.map((l) => /--target (\S+)/.exec(l)?.[1]), [
      "x86_64-unknown-linux-gnu",
      "aarch64-unknown-linux-gnu",
    ]);
    for (const line of compiles) {
      for (const inc of includes) assert.ok(line.includes(`--include ${inc} `), `${inc} missing in: ${line}`);
      assert.ok(line.includes(`--v8-flags=${DAEMON_V8_FLAGS.join(",")} `), line);
    }
    for (const path of loaded) {
      const covered = includes.some((inc) => path === inc || path.startsWith(inc + "/"));
      assert.ok(covered, `${path} is loaded at run time but not in the compile task's --include list: ${task}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
