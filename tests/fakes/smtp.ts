/**
 * A fake SMTP server on 127.0.0.1 (node:net and node:tls: Deno has no server-side STARTTLS). Answers EHLO (offering
 * AUTH PLAIN, and STARTTLS when given a certificate and told to), STARTTLS, MAIL, RCPT, DATA, QUIT; with `implicitTls`
 * it speaks TLS from the first byte. Records each message: envelope, credentials, the DATA (dot-unstuffed) and whether
 * the session was encrypted. `hold()` makes it stop answering after the greeting until `release()` (a dead relay).
 */
import net from "node:net";
import tls from "node:tls";

export interface FakeMail {
  readonly from: string;
  readonly to: string[];
  readonly data: string;
  readonly auth?: { readonly username: string; readonly password: string };
  /** The session was TLS (STARTTLS or implicit) when the message was sent. */
  readonly secure: boolean;
}

export interface FakeSmtpOptions {
  /** Offer STARTTLS in EHLO: with `tls` it is carried out, without it refused (454). */
  readonly offerStartTls?: boolean;
  /** TLS from the first byte (needs `tls`). */
  readonly implicitTls?: boolean;
  /** The server's key and certificate (PEM). */
  readonly tls?: { readonly key: string; readonly cert: string };
  readonly rejectRcpt?: boolean;
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

/** Lines from a socket that may be swapped for its TLS upgrade mid-session. */
function lineReader() {
  let buffer = "";
  let ended = false;
  let wake = () => {};
  let socket: net.Socket | undefined;
  const onData = (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    wake();
  };
  const onEnd = () => {
    ended = true;
    wake();
  };
  return {
    attach(s: net.Socket) {
      socket?.off("data", onData).off("end", onEnd).off("close", onEnd);
      socket = s;
      s.on("data", onData).on("end", onEnd).on("close", onEnd).on("error", onEnd);
    },
    async line(): Promise<string | null> {
      for (;;) {
        const nl = buffer.indexOf("\r\n");
        if (nl >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 2);
          return line;
        }
        if (ended) return null;
        await new Promise<void>((r) => (wake = r));
      }
    },
  };
}

export async function startFakeSmtp(options: FakeSmtpOptions = {}): Promise<FakeSmtp> {
  const mails: FakeMail[] = [];
  const open = new Set<net.Socket>();
  let accepted = 0;
  let held: Promise<void> | undefined;
  let releaseHold = () => {};

  async function serve(raw: net.Socket, startsSecure: boolean) {
    let socket = raw;
    let secure = startsSecure;
    const reader = lineReader();
    reader.attach(socket);
    const say = (text: string) => socket.write(`${text}\r\n`);
    say("220 fake.smtp ESMTP ready");
    if (held) await held;
    let from = "";
    let to: string[] = [];
    let auth: FakeMail["auth"];
    for (;;) {
      const line = await reader.line();
      if (line === null) return;
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === "EHLO" || verb === "HELO") {
        say("250-fake.smtp");
        if (options.offerStartTls && !secure) say("250-STARTTLS");
        say("250 AUTH PLAIN");
      } else if (verb === "STAR") {
        if (!options.tls || secure) {
          say("454 TLS not available");
          continue;
        }
        say("220 go ahead");
        socket = new tls.TLSSocket(socket, { isServer: true, key: options.tls.key, cert: options.tls.cert });
        open.add(socket);
        reader.attach(socket);
        secure = true;
        auth = undefined; // RFC 3207: forget what was said before the handshake
      } else if (verb === "AUTH") {
        const [, user, pass] = atob(line.split(" ")[2] ?? "").split("\0");
        auth = { username: user, password: pass };
        say("235 ok");
      } else if (verb === "MAIL") {
        from = /<(.*)>/.exec(line)?.[1] ?? "";
        to = [];
        say("250 ok");
      } else if (verb === "RCPT") {
        if (options.rejectRcpt) {
          say("550 no such user");
          continue;
        }
        to.push(/<(.*)>/.exec(line)?.[1] ?? "");
        say("250 ok");
      } else if (verb === "DATA") {
        say("354 go ahead");
        const lines: string[] = [];
        for (;;) {
          const l = await reader.line();
          if (l === null) return;
          if (l === ".") break;
          lines.push(l.startsWith("..") ? l.slice(1) : l);
        }
        mails.push({ from, to, data: lines.join("\r\n"), secure, ...(auth ? { auth } : {}) });
        say("250 queued");
      } else if (verb === "QUIT") {
        say("221 bye");
        socket.end();
        return;
      } else {
        say("502 unknown");
      }
    }
  }

  const onConnection = (secure: boolean) => (socket: net.Socket) => {
    accepted++;
    open.add(socket);
    socket.on("error", () => {});
    socket.on("close", () => open.delete(socket));
    serve(socket, secure).catch(() => socket.destroy());
  };
  const server = options.implicitTls
    ? tls.createServer({ key: options.tls!.key, cert: options.tls!.cert }, onConnection(true))
    : net.createServer(onConnection(false));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
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
      for (const s of open) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A throwaway CA and a certificate for localhost/127.0.0.1 signed by it (openssl), for TLS tests. */
export async function testCertificates(): Promise<{ ca: string; key: string; cert: string } | undefined> {
  const dir = await Deno.makeTempDir({ prefix: "smtp-certs-" });
  const run = async (args: string[]) =>
    (await new Deno.Command("openssl", { args, cwd: dir, stdout: "null", stderr: "null" }).output()).success;
  try {
    await Deno.writeTextFile(
      `${dir}/ext.cnf`,
      "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n",
    );
    const ok = await run([
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      "ca.key",
      "-out",
      "ca.pem",
      "-days",
      "1",
      "-subj",
      "/CN=tradeactor test CA",
    ]) &&
      await run([
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "leaf.key",
        "-out",
        "leaf.csr",
        "-subj",
        "/CN=localhost",
      ]) &&
      await run([
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "leaf.pem",
        "-days",
        "1",
        "-extfile",
        "ext.cnf",
      ]);
    if (!ok) return undefined;
    const read = (f: string) => Deno.readTextFile(`${dir}/${f}`);
    return { ca: await read("ca.pem"), key: await read("leaf.key"), cert: await read("leaf.pem") };
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined; // no openssl here
    throw err;
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}
