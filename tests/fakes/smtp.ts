/**
 * A fake SMTP server on 127.0.0.1: answers EHLO (offering AUTH PLAIN, and STARTTLS only when told, which it then
 * refuses to carry out), MAIL, RCPT, DATA, QUIT, and records each message: envelope, credentials and the DATA
 * (dot-unstuffed). `hold()` makes it stop answering after the greeting until `release()`, to stand for a dead relay.
 */
export interface FakeMail {
  readonly from: string;
  readonly to: string[];
  readonly data: string;
  readonly auth?: { readonly username: string; readonly password: string };
}

export interface FakeSmtp {
  readonly port: number;
  readonly mails: FakeMail[];
  /** Connections accepted so far. */
  connections(): number;
  hold(): void;
  release(): void;
  close(): Promise<void>;
}

export function startFakeSmtp(
  options: { readonly offerStartTls?: boolean; readonly rejectRcpt?: boolean } = {},
): FakeSmtp {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const mails: FakeMail[] = [];
  const open = new Set<Deno.Conn>();
  let accepted = 0;
  let held: Promise<void> | undefined;
  let releaseHold = () => {};
  const enc = new TextEncoder();

  async function serve(conn: Deno.Conn) {
    const say = (text: string) => conn.write(enc.encode(`${text}\r\n`));
    let buffer = "";
    const chunk = new Uint8Array(4096);
    const readLine = async (): Promise<string | null> => {
      for (;;) {
        const nl = buffer.indexOf("\r\n");
        if (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 2);
          return line;
        }
        const n = await conn.read(chunk);
        if (n === null) return null;
        buffer += new TextDecoder().decode(chunk.subarray(0, n));
      }
    };
    await say("220 fake.smtp ESMTP ready");
    if (held) await held;
    let from = "";
    let to: string[] = [];
    let auth: FakeMail["auth"];
    for (;;) {
      const line = await readLine();
      if (line === null) return;
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === "EHLO" || verb === "HELO") {
        await say("250-fake.smtp");
        if (options.offerStartTls) await say("250-STARTTLS");
        await say("250 AUTH PLAIN");
      } else if (verb === "STAR") {
        await say("454 TLS not available");
      } else if (verb === "AUTH") {
        const [, user, pass] = atob(line.split(" ")[2] ?? "").split("\0");
        auth = { username: user, password: pass };
        await say("235 ok");
      } else if (verb === "MAIL") {
        from = /<(.*)>/.exec(line)?.[1] ?? "";
        to = [];
        await say("250 ok");
      } else if (verb === "RCPT") {
        if (options.rejectRcpt) {
          await say("550 no such user");
          continue;
        }
        to.push(/<(.*)>/.exec(line)?.[1] ?? "");
        await say("250 ok");
      } else if (verb === "DATA") {
        await say("354 go ahead");
        const lines: string[] = [];
        for (;;) {
          const l = await readLine();
          if (l === null) return;
          if (l === ".") break;
          lines.push(l.startsWith("..") ? l.slice(1) : l);
        }
        mails.push({ from, to, data: lines.join("\r\n"), ...(auth ? { auth } : {}) });
        await say("250 queued");
      } else if (verb === "QUIT") {
        await say("221 bye");
        return;
      } else {
        await say("502 unknown");
      }
    }
  }

  const loop = (async () => {
    for await (const conn of listener) {
      accepted++;
      open.add(conn);
      serve(conn).catch(() => {}).finally(() => {
        open.delete(conn);
        try {
          conn.close();
        } catch { /* closed */ }
      });
    }
  })().catch(() => {});

  return {
    port: (listener.addr as Deno.NetAddr).port,
    mails,
    connections: () => accepted,
    hold() {
      held = new Promise((r) => (releaseHold = r));
    },
    release() {
      held = undefined;
      releaseHold();
    },
    async close() {
      releaseHold();
      listener.close();
      for (const c of open) {
        try {
          c.close();
        } catch { /* closed */ }
      }
      await loop;
    },
  };
}
