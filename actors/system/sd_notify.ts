/**
 * systemd's notify protocol (sd_notify(3)) for `Type=notify` and `WatchdogSec=`: `READY=1` once the daemon serves,
 * `WATCHDOG=1` from the main thread's event loop while it turns (so a hung daemon stops pinging and systemd restarts
 * the service), `STOPPING=1` on the way out. Nothing happens without $NOTIFY_SOCKET (not under systemd).
 *
 * How the datagram is sent, measured on Deno 2.9.6: `Deno.listenDatagram({ transport: "unixpacket", path })` is a
 * Unix SOCK_DGRAM socket and `send(…, { transport: "unixpacket", path: NOTIFY_SOCKET })` reaches systemd's socket, but
 * only with the unstable `net` API (deno.json "unstable": ["net"]) and only for a socket with a path: Deno cannot name
 * an abstract socket (`@…`, which systemd uses in some containers). Then, or when the API is missing (a binary built
 * without it), each message goes through `systemd-notify` (a process per message; the unit sets NotifyAccess=all so
 * systemd accepts messages from processes other than the main one; the daemon is a grandchild of it anyway).
 */

export interface Notifier {
  /** How messages are sent: "datagram", "systemd-notify", or "none" (no $NOTIFY_SOCKET). */
  readonly via: "datagram" | "systemd-notify" | "none";
  notify(message: string): Promise<void>;
  close(): void;
}

type Env = (name: string) => string | undefined;

interface DatagramConn {
  send(data: Uint8Array, addr: { transport: "unixpacket"; path: string }): Promise<number>;
  close(): void;
}
type ListenDatagram = (options: { transport: "unixpacket"; path: string }) => DatagramConn;

const NONE: Notifier = { via: "none", notify: () => Promise.resolve(), close: () => {} };

/** A notifier for $NOTIFY_SOCKET; `command` is systemd-notify's path (tests give a fake). */
export function createNotifier(env: Env = (n) => Deno.env.get(n), command = "systemd-notify"): Notifier {
  const socket = env("NOTIFY_SOCKET");
  if (!socket) return NONE;
  const listen = (Deno as unknown as { listenDatagram?: ListenDatagram }).listenDatagram;
  if (listen && socket.startsWith("/")) {
    const dir = Deno.makeTempDirSync({ prefix: "tradeactor-notify-" });
    const path = `${dir}/s`;
    try {
      const conn = listen({ transport: "unixpacket", path });
      const bytes = new TextEncoder();
      return {
        via: "datagram",
        async notify(message) {
          await conn.send(bytes.encode(message), { transport: "unixpacket", path: socket });
        },
        close() {
          conn.close();
          Deno.removeSync(dir, { recursive: true });
        },
      };
    } catch {
      Deno.removeSync(dir, { recursive: true });
    }
  }
  return {
    via: "systemd-notify",
    async notify(message) {
      const out = await new Deno.Command(command, { args: message.split("\n"), stdout: "null", stderr: "piped" })
        .output();
      if (!out.success) throw new Error(`systemd-notify failed: ${new TextDecoder().decode(out.stderr).trim()}`);
    },
    close: () => {},
  };
}

/** How often to ping: half of systemd's WatchdogSec ($WATCHDOG_USEC), else every 10 s. */
export function watchdogIntervalMs(env: Env = (n) => Deno.env.get(n)): number {
  const usec = Number(env("WATCHDOG_USEC"));
  return Number.isFinite(usec) && usec > 0 ? Math.max(100, Math.floor(usec / 2_000)) : 10_000;
}

/**
 * Tells systemd the daemon is ready and keeps pinging its watchdog; returns the function that says STOPPING=1 and
 * stops. Failures are reported through `warn` once each kind, never thrown: notifying must not stop trading.
 */
export function startSystemdNotify(
  warn: (msg: string, fields: Record<string, unknown>) => void,
  env: Env = (n) => Deno.env.get(n),
  notifier: Notifier = createNotifier(env),
): () => Promise<void> {
  if (notifier.via === "none") return () => Promise.resolve();
  let warned = false;
  const send = (message: string) =>
    notifier.notify(message).catch((err) => {
      if (warned) return;
      warned = true;
      warn("cannot notify systemd", { via: notifier.via, error: (err as Error).message });
    });
  void send("READY=1\nSTATUS=trading daemon running");
  const timer = setInterval(() => void send("WATCHDOG=1"), watchdogIntervalMs(env));
  return async () => {
    clearInterval(timer);
    await send("STOPPING=1");
    notifier.close();
  };
}
