/**
 * A minimal SMTP client (RFC 5321) for alert e-mails: EHLO, optional STARTTLS (or TLS from the start), AUTH PLAIN,
 * one message to its recipients, QUIT. Nothing is sent in clear text that should not be: with `security: "starttls"`
 * a server that does not offer STARTTLS is an error, and credentials are only sent over TLS (or to loopback).
 */

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  /** "tls": TLS from the first byte (port 465); "starttls": upgrade after EHLO (587); "none": plain (25, loopback). */
  readonly security: "tls" | "starttls" | "none";
  readonly username?: string;
  readonly password?: string;
  /** Trusted CA certificates in PEM (a private relay); the system's otherwise. */
  readonly caCerts?: readonly string[];
  readonly timeoutMs: number;
  /** The name this client gives in EHLO. */
  readonly helo?: string;
}

export interface Mail {
  readonly from: string;
  readonly to: readonly string[];
  readonly subject: string;
  readonly text: string;
  readonly date?: Date;
}

export class SmtpError extends Error {
  override name = "SmtpError";
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Reads SMTP replies (possibly multi-line: `250-…` then `250 …`) from a connection. */
function replies(conn: Deno.Conn) {
  let buffer = "";
  const chunk = new Uint8Array(4096);
  return async (): Promise<{ code: number; lines: string[] }> => {
    const lines: string[] = [];
    for (;;) {
      const nl = buffer.indexOf("\r\n");
      if (nl >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 2);
        lines.push(line.slice(4));
        if (!/^\d{3}[ -]/.test(line) && !/^\d{3}$/.test(line)) {
          throw new SmtpError(`not an SMTP reply: ${line.slice(0, 80)}`);
        }
        if (line[3] !== "-") return { code: Number(line.slice(0, 3)), lines };
        continue;
      }
      const n = await conn.read(chunk);
      if (n === null) throw new SmtpError("the server closed the connection");
      buffer += dec.decode(chunk.subarray(0, n));
      if (buffer.length > 64_000) throw new SmtpError("reply too long");
    }
  };
}

const isLoopback = (host: string) => host === "localhost" || host === "::1" || /^127\./.test(host);
const address = (a: string) => {
  if (!/^[^\s<>@]+@[^\s<>@]+$/.test(a)) throw new SmtpError(`not an e-mail address: ${JSON.stringify(a)}`);
  return a;
};

/** The message as sent in DATA: headers, a blank line, the text with lines starting with "." doubled. */
export function formatMail(mail: Mail, messageId: string): string {
  const header = (s: string) => s.replace(/[\r\n]+/g, " ");
  const body = mail.text.replace(/\r?\n/g, "\r\n").split("\r\n").map((l) => (l.startsWith(".") ? `.${l}` : l));
  return [
    `From: ${header(mail.from)}`,
    `To: ${mail.to.map(header).join(", ")}`,
    `Subject: ${header(mail.subject)}`,
    `Date: ${(mail.date ?? new Date()).toUTCString()}`,
    `Message-ID: <${messageId}>`,
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "Content-Transfer-Encoding: 8bit",
    "",
    ...body,
  ].join("\r\n");
}

export async function sendMail(options: SmtpOptions, mail: Mail): Promise<void> {
  address(mail.from);
  if (mail.to.length === 0) throw new SmtpError("no recipients");
  mail.to.forEach(address);
  const credentials = options.username !== undefined || options.password !== undefined;
  if (credentials && options.security === "none" && !isLoopback(options.host)) {
    throw new SmtpError(`refusing to send SMTP credentials to ${options.host} without TLS (security "none")`);
  }
  const tls = options.caCerts ? { caCerts: [...options.caCerts] } : {};
  let conn: Deno.Conn = options.security === "tls"
    ? await Deno.connectTls({ hostname: options.host, port: options.port, ...tls })
    : await Deno.connect({ hostname: options.host, port: options.port });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      conn.close();
    } catch { /* closed already */ }
  }, options.timeoutMs);
  try {
    let read = replies(conn);
    const write = (line: string) => conn.write(enc.encode(`${line}\r\n`));
    const expect = async (step: string, ok: (code: number) => boolean) => {
      const reply = await read();
      if (!ok(reply.code)) throw new SmtpError(`${step}: the server answered ${reply.code} ${reply.lines.join(" ")}`);
      return reply;
    };
    const two = (c: number) => c >= 200 && c < 300;
    await expect("greeting", (c) => c === 220);
    const helo = options.helo ?? "tradeactor";
    await write(`EHLO ${helo}`);
    let ehlo = await expect("EHLO", two);
    if (options.security === "starttls") {
      if (!ehlo.lines.some((l) => /^STARTTLS\b/i.test(l))) {
        throw new SmtpError(`${options.host} does not offer STARTTLS; not sending in clear text`);
      }
      await write("STARTTLS");
      await expect("STARTTLS", (c) => c === 220);
      conn = await Deno.startTls(conn as Deno.TcpConn, { hostname: options.host, ...tls });
      read = replies(conn);
      await write(`EHLO ${helo}`);
      ehlo = await expect("EHLO after STARTTLS", two);
    }
    if (credentials) {
      const plain = btoa(String.fromCharCode(...enc.encode(`\0${options.username ?? ""}\0${options.password ?? ""}`)));
      await write(`AUTH PLAIN ${plain}`);
      await expect("AUTH", (c) => c === 235);
    }
    await write(`MAIL FROM:<${mail.from}>`);
    await expect("MAIL FROM", two);
    for (const to of mail.to) {
      await write(`RCPT TO:<${to}>`);
      await expect(`RCPT TO ${to}`, two);
    }
    await write("DATA");
    await expect("DATA", (c) => c === 354);
    const id = `${crypto.randomUUID()}@${helo}`;
    await conn.write(enc.encode(`${formatMail(mail, id)}\r\n.\r\n`));
    await expect("end of DATA", two);
    await write("QUIT");
    await read().catch(() => {});
  } catch (err) {
    if (timedOut) throw new SmtpError(`SMTP ${options.host}:${options.port}: no answer within ${options.timeoutMs} ms`);
    if (err instanceof SmtpError) throw err;
    throw new SmtpError(`SMTP ${options.host}:${options.port}: ${(err as Error).message}`);
  } finally {
    clearTimeout(timer);
    try {
      conn.close();
    } catch { /* closed already */ }
  }
}
