/** The redis bench group: both lines, in the one schema, from a run whose remote actor handled everything. */
import assert from "node:assert/strict";
import { REDIS_UP } from "../storage/services.ts";

Deno.test({
  name: "bench redis: bar-to-order latency across the Redis hop and messages/s through the remote host",
  ignore: !REDIS_UP,
  async fn() {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../../bench/redis_bench.ts", import.meta.url).pathname, "200", "2000"],
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    assert.equal(out.code, 0, dec.decode(out.stderr));
    const rows = dec.decode(out.stdout).trim().split("\n").map((l) => JSON.parse(l));
    assert.deepEqual(rows.map((r) => r.bench), ["redis_bar_to_order", "redis_host_messages"]);
    const [latency, throughput] = rows;
    assert.equal(latency.unit, "us");
    assert.ok(latency.n > 0 && latency.p50_us > 0 && latency.p99_us >= latency.p50_us, JSON.stringify(latency));
    assert.equal(throughput.unit, "messages/s");
    assert.equal(throughput.messages, 2000);
    assert.ok(throughput.value > 0, JSON.stringify(throughput));
  },
});
