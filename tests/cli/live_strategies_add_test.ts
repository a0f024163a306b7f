/** `deno task live strategies add … --venue NAME` sends the venue to POST /api/v1/strategies; without it, none. */
import assert from "node:assert/strict";
import { runApiCommand } from "../../cli/live_control.ts";

async function sent(args: string[]): Promise<Record<string, unknown>> {
  let body: Record<string, unknown> | undefined;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    body = await req.json();
    return Response.json({ strategy: { id: "b" } }, { status: 201 });
  });
  const log = console.log;
  console.log = () => {};
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const code = await runApiCommand(args, () => Promise.resolve({ url, token: "t" }));
    assert.equal(code, 0);
    return body!;
  } finally {
    console.log = log;
    await server.shutdown();
  }
}

Deno.test("live strategies add: --venue goes in the request; absent, the daemon's default venue decides", async () => {
  const base = ["strategies", "add", "b", "sma_cross", "--capital", "1000", "--reason", "test"];
  assert.equal((await sent([...base, "--venue", "eu"])).venue, "eu");
  assert.equal("venue" in await sent(base), false);
});
