/**
 * The README followed as written, the way a new user does on a fresh clone: every command of its ```sh blocks (then
 * deploy/README.md's), in order, in a fresh copy of the repository. A non-zero exit fails the test unless the
 * README announces it in the command's comment (`# … exits 1 …`). A command that "runs until Ctrl-C" runs in the
 * background and gets a Ctrl-C (SIGINT to its process group) at the end; the TUI ("in another terminal") gets a
 * pseudo-terminal and a `q`. Commands that cannot run here are in SKIPPED, each with its reason. Afterwards
 * `deno task check` still passes in the copy, and nothing was written outside out/ and data/.
 *
 * One substitution: the example daemon's control port is 8787 in the README and any free port here (so two test
 * runs at once do not collide), and the TUI's URL follows it.
 */
import assert from "node:assert/strict";
import { dirname, join, relative } from "node:path";

const ROOT = new URL("../../", import.meta.url).pathname.replace(/\/$/, "");
const HANG_GUARD_MS = 10 * 60_000;

/** Commands that cannot run in this test, and why. Each must still be in the README (a stale entry fails). */
const SKIPPED: Readonly<Record<string, string>> = {
  "deno task test": "the suite this test is part of; its checks (`deno task check`) run in the copy at the end",
  "deno task data download --exchange binance --symbol BTC/USDT --timeframe 1h --from 2024-01-01":
    "needs binance.com (no network here); tests/storage/market/download_test.ts runs it against a fake exchange",
  "git clone <your repo> /opt/tradeactor && cd /opt/tradeactor": "the fresh copy stands in for the clone",
  "npm install --prefix .tools deno@2.9.6": "this test already runs on that Deno (as .ci/run installs it)",
  'export PATH="$PWD/.tools/node_modules/.bin:$PATH"': "the copy runs with this test's Deno on its PATH",
  "deno task live check --config /etc/tradeactor/live.json":
    "an operator's own file; tests/live/config_validation_test.ts checks deploy/live.example.json the same way",
  "deno task live --config /etc/tradeactor/live.json": "an operator's own file; the README's example daemon runs here",
  'deno task live --config /etc/tradeactor/live.json --role core --bus "redis://10.0.0.5:6379/0?name=prod"':
    "an operator's own file and Redis host; tests/live/remote_host_test.ts runs --role core and --role strategies",
  'deno task live --role strategies --bus "redis://10.0.0.5:6379/0?name=prod"':
    "runs until stopped against the operator's Redis; tests/live/remote_host_test.ts runs it (kill -9, standby)",
  "docker build -f deploy/Dockerfile -t tradeactor .":
    "no container engine here; tests/deploy/deploy_files_test.ts checks the Dockerfile",
  "TRADEACTOR_CONTROL_TOKEN=$(openssl rand -hex 32) POSTGRES_PASSWORD=$(openssl rand -hex 16) docker compose -f deploy/compose.yaml up -d":
    "no container engine here; tests/deploy/deploy_files_test.ts validates compose.yaml",
  "deno compile -A --v8-flags=--optimize-for-size,--gc-memory-reducer-start-delay-ms=1000 --include actors --include strategies --include backtest/optimize/worker.ts --include backtest/report/equity_worker.ts --include cli/backtest_jobs/worker.ts --target x86_64-unknown-linux-gnu --output dist/tradeactor-x86_64 main.ts":
    "downloads the Deno runtime for the target (no network here); tests/actors/system/daemon_command_test.ts checks the --include list and the compiled-mode command",
  "deno compile -A --v8-flags=--optimize-for-size,--gc-memory-reducer-start-delay-ms=1000 --include actors --include strategies --include backtest/optimize/worker.ts --include backtest/report/equity_worker.ts --include cli/backtest_jobs/worker.ts --target aarch64-unknown-linux-gnu --output dist/tradeactor-aarch64 main.ts":
    "downloads the Deno runtime for the target (no network here); tests/actors/system/daemon_command_test.ts checks the --include list and the compiled-mode command",
};

interface Step {
  readonly file: string;
  readonly command: string;
  readonly comment: string;
}

/** The commands of every ```sh block, in order: continuations joined, comments split off. */
function commandsOf(file: string, text: string): Step[] {
  const steps: Step[] = [];
  for (const [, block] of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
    for (const raw of block.replace(/\\\n\s*/g, " ").split("\n")) {
      const line = raw.trim();
      if (line === "" || line.startsWith("#")) continue;
      const hash = line.search(/\s#\s/);
      const command = (hash < 0 ? line : line.slice(0, hash)).trim().replace(/^npx -y deno@[\d.]+ task /, "deno task ");
      steps.push({ file, command, comment: hash < 0 ? "" : line.slice(hash).replace(/^\s*#\s*/, "") });
    }
  }
  return steps;
}

async function copyTree(from: string, to: string, skip: (rel: string) => boolean): Promise<void> {
  for await (const entry of Deno.readDir(from)) {
    const src = join(from, entry.name), dst = join(to, entry.name);
    if (skip(relative(ROOT, src))) continue;
    if (entry.isDirectory) {
      await Deno.mkdir(dst, { recursive: true });
      await copyTree(src, dst, skip);
    } else if (entry.isFile) {
      await Deno.copyFile(src, dst);
    }
  }
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const out: string[] = [];
  for await (const entry of Deno.readDir(dir)) {
    const path = join(dir, entry.name);
    if (entry.isDirectory) out.push(...await listFiles(path, base));
    else out.push(relative(base, path));
  }
  return out.sort();
}

/** Root-level folders that are not the project: VCS, tool caches, and what the commands write. */
const NOT_SOURCE = new Set([".git", "out", "data", "dist", "node_modules", ".tools"]);
const isSource = (rel: string) => !NOT_SOURCE.has(rel.split("/")[0]);

function env(): Record<string, string> {
  return {
    ...Deno.env.toObject(),
    PATH: `${dirname(Deno.execPath())}:${Deno.env.get("PATH") ?? "/usr/bin:/bin"}`,
    DENO_NO_UPDATE_CHECK: "1",
  };
}

async function sh(cwd: string, command: string) {
  const out = await new Deno.Command("sh", {
    args: ["-c", command],
    cwd,
    env: env(),
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(HANG_GUARD_MS),
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const tail = (text: string) => text.trimEnd().split("\n").slice(-25).join("\n");

async function hasProgram(name: string): Promise<boolean> {
  return await new Deno.Command(name, { args: ["--version"], stdout: "null", stderr: "null" }).output()
    .then((o) => o.success, () => false);
}

/** A daemon in its own process group, as a shell's foreground job; Ctrl-C is SIGINT to the group. */
interface Background {
  readonly step: Step;
  readonly child: Deno.ChildProcess;
  readonly stderr: () => string;
}

function startBackground(cwd: string, step: Step): Background {
  const child = new Deno.Command("setsid", {
    args: ["sh", "-c", step.command],
    cwd,
    env: env(),
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  let err = "";
  void child.stderr.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (chunk) => void (err = (err + chunk).slice(-20_000)) }),
  );
  return { step, child, stderr: () => err };
}

/** Waits until the daemon answers /health, reading its URL from control.json; fails if it exits first. */
async function daemonUrl(cwd: string, bg: Background): Promise<string> {
  let exited: number | undefined;
  void bg.child.status.then((s) => (exited = s.code));
  const deadline = Date.now() + HANG_GUARD_MS;
  while (Date.now() < deadline) {
    if (exited !== undefined) assert.fail(`"${bg.step.command}" exited with ${exited}:\n${tail(bg.stderr())}`);
    try {
      const { url } = JSON.parse(await Deno.readTextFile(join(cwd, "data/live-example/control.json")));
      const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5_000) });
      await health.body?.cancel();
      return url;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  assert.fail(`"${bg.step.command}" did not come up`);
}

async function ctrlC(bg: Background): Promise<void> {
  Deno.kill(-bg.child.pid, "SIGINT");
  const status = await bg.child.status;
  // 130 is what a shell reports for a job ended by Ctrl-C (`deno task` itself does not catch SIGINT).
  assert.ok(status.code === 0 || status.code === 130, `"${bg.step.command}" after Ctrl-C: exit ${status.code}`);
  // The watchdog and the daemon stop in order: nothing of the group is left running.
  const deadline = Date.now() + 60_000;
  const alive = async () =>
    (await new Deno.Command("sh", { args: ["-c", `kill -0 -- -${bg.child.pid}`], stderr: "null" }).output()).success;
  while (await alive()) {
    assert.ok(Date.now() < deadline, "the daemon's processes are still running a minute after Ctrl-C");
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** The TUI on a pseudo-terminal (util-linux `script`): waits for its first frame, then presses q. */
async function tui(cwd: string, command: string): Promise<number> {
  const child = new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    cwd,
    env: env(),
    stdin: "piped",
    stdout: "piped",
    stderr: "null",
    signal: AbortSignal.timeout(HANG_GUARD_MS),
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let screen = "";
  while (!screen.includes("Equity")) {
    const { value, done } = await reader.read();
    if (done) break;
    screen += value;
  }
  assert.match(screen, /Equity/, `the TUI drew no frame:\n${screen.slice(-2000)}`);
  const keys = child.stdin.getWriter();
  await keys.write(new TextEncoder().encode("q"));
  await keys.close();
  void (async () => {
    while (!(await reader.read()).done);
  })();
  return (await child.status).code;
}

/** The copy the commands ran in, for the second test (tests in one file run in order); it removes it. */
let ranIn: { tmp: string; repo: string; before: string[] } | undefined;

Deno.test({
  name: "README: every command works as written, in order, in a fresh copy of the repository",
  sanitizeOps: false,
  sanitizeResources: false,
  fn: async () => {
    const steps = [
      ...commandsOf("README.md", await Deno.readTextFile(join(ROOT, "README.md"))),
      ...commandsOf("deploy/README.md", await Deno.readTextFile(join(ROOT, "deploy/README.md"))),
    ];
    const stale = Object.keys(SKIPPED).filter((c) => !steps.some((s) => s.command === c));
    assert.deepEqual(stale, [], "SKIPPED names commands the READMEs no longer have");

    const shared = await Deno.realPath(join(ROOT, "../shared")).catch(() => undefined);
    assert.ok(shared, `the README's examples read ../shared/data next to the repository (${ROOT}/../shared)`);
    const tmp = await Deno.makeTempDir({ prefix: "readme-" });
    const repo = join(tmp, "tradeactor");
    await Deno.mkdir(repo);
    await Deno.symlink(shared, join(tmp, "shared"));
    let background: Background | undefined;
    let done = false;
    try {
      await copyTree(ROOT, repo, (rel) => !isSource(rel));
      const before = (await listFiles(repo)).filter(isSource);
      const example = join(repo, "deploy/live.example.json");
      const config = await Deno.readTextFile(example);
      assert.match(config, /"port": 8787\b/);
      await Deno.writeTextFile(example, config.replace(/"port": 8787\b/, `"port": 0`));

      const ran: string[] = [];
      let tuiHere: boolean | undefined;
      for (const step of steps) {
        if (step.command in SKIPPED) continue;
        const where = `${step.file}: ${step.command}`;
        if (/runs until Ctrl-C/.test(step.comment)) {
          assert.equal(background, undefined, "one daemon at a time");
          background = startBackground(repo, step);
          await daemonUrl(repo, background);
          ran.push(step.command);
          continue;
        }
        if (/^deno task tui\b/.test(step.command)) {
          assert.ok(background, `${where}: the TUI needs the daemon started above`);
          tuiHere ??= await hasProgram("script");
          if (!tuiHere) {
            console.log(`skipped ${where}: no pseudo-terminal here (util-linux script is not installed)`);
            continue;
          }
          const url = await daemonUrl(repo, background);
          const code = await tui(repo, step.command.replace("http://127.0.0.1:8787", url));
          assert.equal(code, 0, `${where}: exit ${code}`);
          ran.push(step.command);
          continue;
        }
        const expected = Number(step.comment.match(/\bexits (\d+)\b/)?.[1] ?? 0);
        const r = await sh(repo, step.command);
        assert.equal(
          r.code,
          expected,
          `${where}\nexit ${r.code}, the README says ${expected}\n--- stdout\n${tail(r.stdout)}\n--- stderr\n${
            tail(r.stderr)
          }`,
        );
        ran.push(step.command);
      }
      if (background) {
        await ctrlC(background);
        background = undefined;
      }
      assert.ok(ran.length >= 15, `ran ${ran.length} commands`);
      ranIn = { tmp, repo, before };
      done = true;
    } finally {
      if (background) await ctrlC(background).catch(() => {});
      if (!done) await Deno.remove(tmp, { recursive: true });
    }
  },
});

Deno.test("README: afterwards deno task check passes in that copy, and nothing was written outside out/ and data/", async () => {
  assert.ok(ranIn, "the README's commands did not all run (see the test before)");
  const { tmp, repo, before } = ranIn;
  try {
    const check = await sh(repo, "deno task check");
    assert.equal(check.code, 0, `deno task check in the copy:\n${tail(check.stdout)}\n${tail(check.stderr)}`);
    const after = (await listFiles(repo)).filter(isSource);
    const written = after.filter((f) => !before.includes(f));
    assert.deepEqual(written, [], "files written outside out/ and data/");
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});
