/** A fake Telegram Bot API on 127.0.0.1: records sendMessage calls per bot token; can answer errors. */
export interface FakeTelegram {
  readonly url: string;
  readonly messages: { readonly token: string; readonly chatId: string; readonly text: string }[];
  /** Answer the next N calls with this status. */
  fail(status: number, times: number): void;
  close(): Promise<void>;
}

export function startFakeTelegram(): FakeTelegram {
  const messages: FakeTelegram["messages"][number][] = [];
  let failing = { status: 0, times: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const m = /^\/bot([^/]+)\/sendMessage$/.exec(new URL(req.url).pathname);
    if (req.method !== "POST" || !m) return Response.json({ ok: false, error_code: 404 }, { status: 404 });
    const body = await req.json() as { chat_id: string; text: string };
    if (failing.times > 0) {
      failing.times--;
      return Response.json({ ok: false, error_code: failing.status, description: "fake failure" }, {
        status: failing.status,
      });
    }
    messages.push({ token: decodeURIComponent(m[1]), chatId: String(body.chat_id), text: body.text });
    return Response.json({ ok: true, result: { message_id: messages.length } });
  });
  return {
    url: `http://127.0.0.1:${server.addr.port}`,
    messages,
    fail(status, times) {
      failing = { status, times };
    },
    close: () => server.shutdown(),
  };
}
