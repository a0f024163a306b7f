/**
 * The deploy files as an operator uses them: compose.yaml validated by `docker compose config` when that exists, else
 * parsed (npm yaml) and checked for what the stack needs; the container's config is valid and binds 0.0.0.0 only with
 * a token; the Dockerfile runs as a non-root user with a liveness healthcheck; the systemd unit is hardened without
 * breaking V8.
 */
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { loadLiveConfig } from "../../actors/system/live_config.ts";
import { controlSettings } from "../../actors/system/control.ts";
import { ControlSecurityError } from "../../actors/gateway/server.ts";

const DEPLOY = fileURLToPath(new URL("../../deploy/", import.meta.url));
const read = (name: string) => Deno.readTextFile(join(DEPLOY, name));
const ENV = { TRADEACTOR_CONTROL_TOKEN: "a".repeat(32), POSTGRES_PASSWORD: "pw-for-the-test" };

async function dockerCompose(): Promise<boolean> {
  try {
    return (await new Deno.Command("docker", { args: ["compose", "version"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

type Service = {
  image?: string;
  build?: { context: string; dockerfile: string };
  restart?: string;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  configs?: { source: string; target: string }[];
  command?: string[];
};

Deno.test("deploy: compose.yaml is a valid stack of daemon, PostgreSQL and Redis, each kept alive and checked", async () => {
  const file = join(DEPLOY, "compose.yaml");
  if (await dockerCompose()) {
    const out = await new Deno.Command("docker", {
      args: ["compose", "-f", file, "config", "--quiet"],
      env: ENV,
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
  }
  const doc = parse(await read("compose.yaml")) as {
    services: Record<string, Service>;
    volumes: Record<string, unknown>;
    configs: Record<string, { file: string }>;
  };
  assert.deepEqual(Object.keys(doc.services).sort(), ["daemon", "postgres", "redis"]);
  for (const [name, svc] of Object.entries(doc.services)) {
    assert.ok(svc.restart === "unless-stopped" || svc.restart === "always", `${name}: restart policy`);
    assert.ok(Array.isArray(svc.healthcheck?.test) && svc.healthcheck.test[0] === "CMD", `${name}: healthcheck`);
    // Every named volume is declared, and each stateful service keeps its data in one.
    const named = (svc.volumes ?? []).map((v) => v.split(":")[0]).filter((v) =>
      !v.startsWith(".") && !v.startsWith("/")
    );
    for (const v of named) assert.ok(v in doc.volumes, `${name}: volume ${v} is not declared`);
    assert.ok(named.length > 0, `${name}: no volume`);
  }
  const { daemon, postgres, redis } = doc.services;
  assert.equal(postgres.volumes?.[0], "postgres-data:/var/lib/postgresql/data");
  assert.equal(redis.volumes?.[0], "redis-data:/data");
  assert.match(daemon.healthcheck!.test.join(" "), /127\.0\.0\.1:8787\/health\/live/);
  assert.deepEqual(daemon.depends_on, {
    postgres: { condition: "service_healthy" },
    redis: { condition: "service_healthy" },
  });
  // Secrets are required, never defaulted; the control port is published on loopback only.
  assert.match(daemon.environment!.TRADEACTOR_CONTROL_TOKEN, /^\$\{TRADEACTOR_CONTROL_TOKEN:\?/);
  assert.match(postgres.environment!.POSTGRES_PASSWORD, /^\$\{POSTGRES_PASSWORD:\?/);
  assert.equal(daemon.environment!.PGPASSWORD, postgres.environment!.POSTGRES_PASSWORD);
  assert.deepEqual(daemon.ports, ["127.0.0.1:8787:8787"]);
  assert.equal(postgres.ports, undefined);
  assert.equal(redis.ports, undefined);
  // The image builds from the Dockerfile next to this file, the repository as context.
  const context = join(DEPLOY, daemon.build!.context);
  await Deno.stat(join(context, daemon.build!.dockerfile));
  await Deno.stat(join(context, "main.ts"));

  // The config the daemon gets is valid, binds all interfaces, and journals to the compose PostgreSQL.
  const mounted = daemon.configs![0];
  assert.deepEqual(daemon.command!.slice(-2), ["--config", mounted.target]);
  const configFile = join(DEPLOY, doc.configs[mounted.source].file);
  // /app in the image is the repository here.
  const text = (await Deno.readTextFile(configFile)).replaceAll("/app/examples/", join(DEPLOY, "../examples/"));
  const tmp = await Deno.makeTempDir({ prefix: "compose-test-" });
  const copy = join(tmp, "live.json");
  await Deno.writeTextFile(copy, text);
  try {
    const config = await loadLiveConfig(copy, { env: () => undefined });
    assert.equal(config.control.hostname, "0.0.0.0");
    const db = new URL(config.db);
    assert.equal(db.protocol, "postgres:");
    assert.equal(db.hostname, "postgres");
    assert.equal(db.password, "", "the password comes from PGPASSWORD, not the file");
    assert.equal(db.username, postgres.environment!.POSTGRES_USER);
    assert.equal(db.pathname, `/${postgres.environment!.POSTGRES_DB}`);
  } finally {
    await Deno.remove(tmp, { recursive: true });
  }
});

Deno.test("deploy: the container's config binds 0.0.0.0, refused without a control token, accepted with one", async () => {
  const config = await loadLiveConfig(join(DEPLOY, "live.container.json"), { env: () => undefined });
  assert.equal(config.control.hostname, "0.0.0.0");
  assert.equal(config.control.port, 8787);
  assert.throws(() => controlSettings(config, () => undefined), ControlSecurityError);
  const settings = controlSettings(config, (name) => (ENV as Record<string, string>)[name]);
  assert.equal(settings.tokens.admin, ENV.TRADEACTOR_CONTROL_TOKEN);
  assert.equal(settings.generated, false);
  // The sample the config replays is in the image (COPY . .), at the path the config names.
  await Deno.stat(config.feed.type === "replay" ? config.feed.sources[0].file : "");
});

Deno.test("deploy: the Dockerfile runs the daemon as a non-root user, with a liveness healthcheck", async () => {
  const text = await read("Dockerfile");
  const lines = text.split("\n").filter((l) => !l.startsWith("#"));
  const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
  const user = at(/^USER /);
  assert.ok(user > 0, "a USER line");
  assert.doesNotMatch(lines[user], /^USER (root|0)\b/);
  assert.ok(user < at(/^CMD /) && user > at(/^RUN .*deno cache/), "USER after the build steps, before CMD");
  assert.match(text, /^HEALTHCHECK .*\n?.*http:\/\/127\.0\.0\.1:8787\/health\/live/m);
  assert.match(text, /^CMD \["deno", "task", "live", "--config", "deploy\/live\.container\.json"\]$/m);
  // The healthcheck's command itself (node is in the image): exit 0 on a 200 from /health/live, 1 when nothing answers.
  const probe = /CMD (node -e .*)$/m.exec(text)![1];
  const run = async (port: number) =>
    (await new Deno.Command("sh", { args: ["-c", probe.replace("8787", String(port))], stderr: "null" }).output()).code;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    (req) => new Response(null, { status: new URL(req.url).pathname === "/health/live" ? 200 : 404 }),
  );
  try {
    assert.equal(await run(server.addr.port), 0);
  } finally {
    await server.shutdown();
  }
  assert.equal(await run(server.addr.port), 1);
  await Deno.stat(join(dirname(join(DEPLOY, "Dockerfile")), "Dockerfile.dockerignore"));
});

Deno.test("deploy: the systemd unit is hardened, keeps V8's JIT working, and lets the daemon write where it must", async () => {
  const unit = await read("tradeactor.service");
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(unit)?.[1];
  for (const key of ["NoNewPrivileges", "ProtectHome", "PrivateTmp", "PrivateDevices", "RestrictSUIDSGID"]) {
    assert.equal(value(key), "true", key);
  }
  assert.equal(value("ProtectSystem"), "strict");
  assert.equal(value("CapabilityBoundingSet"), "");
  assert.equal(value("MemoryDenyWriteExecute"), undefined, "V8 needs W+X pages");
  assert.equal(value("Restart"), "always");
  assert.equal(value("RestartPreventExitStatus"), "3");
  const writable = value("ReadWritePaths")!.split(" ");
  const denoDir = /DENO_DIR=(\S+)/.exec(unit)?.[1];
  assert.ok(denoDir && writable.includes(denoDir), "Deno's cache is writable under ProtectSystem=strict");
  assert.ok(writable.includes(`${value("WorkingDirectory")}/data`));
});

/** systemd-analyze, when this machine has it (it verifies a unit file without installing it). */
async function systemdAnalyze(): Promise<boolean> {
  try {
    return (await new Deno.Command("systemd-analyze", { args: ["--version"], stdout: "null", stderr: "null" }).output())
      .success;
  } catch {
    return false;
  }
}

Deno.test("deploy: the unit is Type=notify with a watchdog that outlasts the daemon's own, and systemd-analyze verifies it", async () => {
  const unit = await read("tradeactor.service");
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(unit)?.[1];
  assert.equal(value("Type"), "notify");
  // The daemon (which notifies) is a grandchild of the main process.
  assert.equal(value("NotifyAccess"), "all");
  const watchdogSec = Number(value("WatchdogSec"));
  // The inner watchdog needs its heartbeat timeout, a backoff and a recovery to bring a hung daemon back first.
  const live = await Deno.readTextFile(join(DEPLOY, "../cli/live.ts"));
  const heartbeatMs = Number(/heartbeatTimeoutMs: ([\d_]+)/.exec(live)![1].replaceAll("_", ""));
  assert.ok(
    watchdogSec * 1000 >= heartbeatMs * 4,
    `WatchdogSec=${watchdogSec} vs a ${heartbeatMs} ms heartbeat timeout`,
  );
  assert.ok(Number(value("TimeoutStartSec")) >= 60, "recovery happens before READY=1");
  assert.match(value("RestrictAddressFamilies")!, /AF_UNIX/, "the notify socket is a Unix socket");
  if (await systemdAnalyze()) {
    // The unit as installed, with ExecStart pointing at a Deno that exists here; any warning is a finding.
    const dir = await Deno.makeTempDir({ prefix: "unit-" });
    try {
      const copy = join(dir, "tradeactor.service");
      await Deno.writeTextFile(copy, unit.replace(/^ExecStart=\S+/m, `ExecStart=${Deno.execPath()}`));
      const out = await new Deno.Command("systemd-analyze", {
        args: ["verify", copy],
        stdout: "piped",
        stderr: "piped",
      })
        .output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      assert.ok(out.success, text);
      assert.equal(text.trim(), "", "systemd-analyze verify has remarks");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  }
});

Deno.test("deploy: the EC2 user-data script parses and creates every path the unit uses", async () => {
  const file = join(DEPLOY, "ec2/user-data.sh");
  const script = await Deno.readTextFile(file);
  const syntax = await new Deno.Command("bash", { args: ["-n", file], stderr: "piped" }).output();
  assert.ok(syntax.success, new TextDecoder().decode(syntax.stderr));
  try {
    const lint = await new Deno.Command("shellcheck", { args: [file], stdout: "piped" }).output();
    assert.ok(lint.success, new TextDecoder().decode(lint.stdout));
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  assert.match(script, /^#!\/bin\/bash\n/);
  assert.match(script, /^set -euo pipefail$/m);
  const unit = await read("tradeactor.service");
  const value = (key: string) => new RegExp(`^${key}=(.*)$`, "m").exec(unit)?.[1];
  const vars = Object.fromEntries([...script.matchAll(/^([A-Z_]+)="?([^$"\s]+)"?$/gm)].map((m) => [m[1], m[2]]));
  const expand = (text: string) => text.replace(/\$(APP|CONF|UNIT)\b/g, (_, v) => vars[v]);
  assert.equal(vars.APP, value("WorkingDirectory"));
  assert.equal(`${vars.CONF}/env`, value("EnvironmentFile")!.replace(/^-/, ""));
  assert.match(value("ExecStart")!, new RegExp(`--config ${vars.CONF}/live\\.json$`));
  assert.equal(vars.UNIT, "/etc/systemd/system/tradeactor.service");
  assert.match(script, /install -m 0644 deploy\/tradeactor\.service "\$UNIT"/);
  assert.match(script, /systemctl enable --now tradeactor/);
  // The user the unit runs as, and every directory it may write, are created by the script, owned by that user.
  assert.match(script, new RegExp(`useradd --system .* ${value("User")}$`, "m"));
  const created = [...script.matchAll(/install -d -m 0750 -o tradeactor -g tradeactor (.*)$/gm)]
    .flatMap((m) => m[1].split(" ").map((p) => expand(p.replaceAll('"', ""))));
  for (const path of value("ReadWritePaths")!.split(" ")) assert.ok(created.includes(path), `${path} is not created`);
  // The same Deno as the Dockerfile and CI; the env file is written with a umask that keeps it private.
  const dockerDeno = /deno@([\d.]+)/.exec(await read("Dockerfile"))![1];
  assert.equal(vars.DENO_VERSION, dockerDeno);
  assert.match(
    script,
    /umask 077[\s\S]*TRADEACTOR_CONTROL_TOKEN=\$\(openssl rand -hex 32\)[\s\S]*chmod 0600 "\$CONF\/env"/,
  );
  // The config it installs is the one checked below.
  assert.match(script, /deploy\/ec2\/live\.json "\$CONF\/live\.json"/);
});

Deno.test("deploy: the EC2 config is valid: 10 strategies on loopback, writing where the unit allows", async () => {
  const config = await loadLiveConfig(join(DEPLOY, "ec2/live.json"), { env: () => undefined });
  assert.equal(config.strategies.length, 10);
  assert.equal(config.mode, "paper");
  assert.equal(config.control.hostname, "127.0.0.1");
  assert.doesNotThrow(() => controlSettings(config, () => undefined));
  const unit = await read("tradeactor.service");
  const writable = /^ReadWritePaths=(.*)$/m.exec(unit)![1].split(" ");
  assert.ok(writable.includes(config.dataDir), `${config.dataDir} is not writable under the unit`);
  assert.ok(config.db.startsWith(`sqlite:${config.dataDir}/`));
});

Deno.test("deploy: each cost table adds up and stays under $100 a month", async () => {
  const text = await read("README.md");
  const section = text.slice(text.indexOf("### Cost"), text.indexOf("\n## ", text.indexOf("### Cost")));
  assert.match(section, /list\s+prices\s+as\s+known\s+on\s+\d{4}-\d{2}-\d{2}/);
  const tables = section.split(/\n\n/).filter((block) => block.startsWith("| item"));
  assert.equal(tables.length, 2);
  for (const table of tables) {
    const rows = table.split("\n").slice(2).map((line) => line.split("|").map((c) => c.trim()));
    const total = rows.find((r) => r[1] === "**total**")!;
    const items = rows.filter((r) => r !== total);
    const sum = items.reduce((s, r) => s + Number(r[3]), 0);
    assert.ok(items.every((r) => Number.isFinite(Number(r[3]))));
    assert.ok(Math.abs(sum - Number(total[3])) < 0.005, `items add up to ${sum}, the table says ${total[3]}`);
    assert.ok(Number(total[3]) < 100);
    // Hourly prices × 730 hours are the monthly figures.
    for (const r of items) {
      const hourly = /\$([\d.]+) per hour/.exec(r[2]);
      if (hourly) assert.ok(Math.abs(Number(hourly[1]) * 730 - Number(r[3])) < 0.01, `${r[1]}: ${r[2]} → ${r[3]}`);
    }
  }
});
