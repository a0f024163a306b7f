/**
 * A property-based fuzzer against a running paper daemon: schemathesis (PyPI) reads GET /api/v1/openapi.json and
 * sends generated requests to every operation (boundary values, then random ones, then sequences), with the admin
 * token, and fails on any 5xx, any status, content type or header the document does not list for the operation,
 * and any answer that breaks its published schema.
 *
 * schemathesis comes from TRADEACTOR_SCHEMATHESIS (a path to its executable) or .tools/fuzz-venv (which .ci/run
 * creates). Without it the test is skipped, saying so: it never passes without having run.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CLI, DENO_JSON, GOOG, paperConfig, sleep, writeConfig } from "./helpers.ts";

export const SCHEMATHESIS_VERSION = "4.32.5";
const VENV = fileURLToPath(new URL("../../.tools/fuzz-venv/bin/schemathesis", import.meta.url));

function findSchemathesis(): string | undefined {
  const given = Deno.env.get("TRADEACTOR_SCHEMATHESIS");
  for (const path of [given, VENV]) {
    if (!path) continue;
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch { /* not there */ }
  }
  return undefined;
}

const schemathesis = findSchemathesis();
if (!schemathesis) {
  console.warn(
    `SKIPPED api fuzz test: schemathesis is not installed (looked at $TRADEACTOR_SCHEMATHESIS and ${VENV}). ` +
      `Install it with: python3 -m venv .tools/fuzz-venv && .tools/fuzz-venv/bin/pip install ` +
      `schemathesis==${SCHEMATHESIS_VERSION} (.ci/run does this when PyPI is reachable)`,
  );
}

const TOKEN = "fuzz-admin-token-0123456789abcdef";
// One daily bar every 20 ms for 1,000 bars: the daemon trades while it is fuzzed.
const SPEED = 86_400_000 / 20;

Deno.test({
  name: "api fuzz: schemathesis finds no 5xx and no answer outside the OpenAPI document",
  ignore: schemathesis === undefined,
  sanitizeResources: false,
  sanitizeOps: false,
  fn: async () => {
    const dir = await Deno.makeTempDir({ prefix: "live-fuzz-" });
    const config = await writeConfig(
      dir,
      paperConfig(dir, {
        exitAtEnd: false,
        feed: { type: "replay", sources: [{ file: GOOG, symbol: "GOOG" }], speed: SPEED, limit: 1_000 },
      }),
    );
    const daemon = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--config", DENO_JSON, CLI, "run", "--config", config, "--no-watchdog"],
      stdin: "null",
      stdout: "null",
      stderr: "null",
      env: { TRADEACTOR_LOG: "error", TRADEACTOR_CONTROL_TOKEN: TOKEN },
    }).spawn();
    try {
      const deadline = Date.now() + 60_000; // hang guard only
      let url: string | undefined;
      while (url === undefined) {
        if (Date.now() > deadline) throw new Error("the daemon did not publish control.json");
        url = await Deno.readTextFile(join(dir, "control.json")).then((t) => JSON.parse(t).url, () => undefined);
        if (url === undefined) await sleep(100);
      }
      const out = await new Deno.Command(schemathesis!, {
        args: [
          "run",
          `${url}/api/v1/openapi.json`,
          "--header",
          `Authorization: Bearer ${TOKEN}`,
          "--checks",
          [
            "not_a_server_error",
            "status_code_conformance",
            "content_type_conformance",
            "response_headers_conformance",
            "response_schema_conformance",
          ].join(","),
          // Bounded: boundary cases, then a few random examples per operation, then short sequences.
          "--phases",
          "coverage,fuzzing,stateful",
          "--max-examples",
          "8",
          // Under the daemon's per-client rate limit (20/s), so most requests reach a handler.
          "--rate-limit",
          "18/s",
          "--seed",
          "20240601",
          "--request-timeout",
          "10",
          "--no-color",
        ],
        stdout: "piped",
        stderr: "piped",
        // Its cache (.schemathesis/) goes to the temp dir, not the checkout.
        cwd: dir,
        env: { NO_COLOR: "1", SCHEMATHESIS_HOOKS: "" },
      }).output();
      const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
      const summary = /Test cases:\s*\n\s*(.*)/.exec(text)?.[1] ?? "";
      console.log(`schemathesis: ${summary.trim()}`);
      assert.equal(out.code, 0, `schemathesis failed:\n${text.slice(-6_000)}`);
      assert.match(summary, /\d+ generated, \d+ passed/, text.slice(-2_000));
      // The daemon survived it: still alive, still answering.
      const live = await fetch(`${url}/health/live`);
      assert.equal(live.status, 200);
      await live.body?.cancel();
    } finally {
      daemon.kill("SIGTERM");
      await daemon.status;
      await Deno.remove(dir, { recursive: true });
    }
  },
});
