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
