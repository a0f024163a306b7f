/**
 * The WebSocket channels (/ws/market/{symbol}, /ws/positions, /ws/orders, /ws/performance, /ws/alerts, /ws/logs): each
 * subscriber first gets a snapshot, then every event of its channel as it happens. Every message is one JSON object
 * `{ v: 1, type, channel, … }`, serialised once per event whatever the number of subscribers.
 *
 * Bounded per client: events that arrive while its snapshot is being read wait in a queue of at most `maxQueued`, and
 * a client whose unsent bytes pass `maxBufferedBytes` (or whose queue overflows) is dropped (close 1013): a slow
 * client costs only itself, never the daemon. Updates right after the snapshot may repeat what it already shows
 * (orders and alerts carry their journal seq, bars their time).
 */

export const CHANNELS = ["market", "positions", "orders", "performance", "alerts", "logs"] as const;
export type Channel = typeof CHANNELS[number];

/** The protocol version in every message. */
export const CHANNEL_VERSION = 1;

export interface ChannelLimits {
  readonly maxBufferedBytes: number;
  readonly maxSockets: number;
  readonly maxQueued: number;
}

interface Subscriber {
  readonly socket: WebSocket;
  readonly channel: Channel;
  readonly key: string;
  /** Until the snapshot is sent: events to send after it. */
  queue: string[] | undefined;
}

export interface Channels {
  /** Is a socket for this channel (and key: the market's symbol) open? Producers skip their work otherwise. */
  has(channel: Channel, key?: string): boolean;
  /** Sends one event to every subscriber of the channel (and key). */
  publish(channel: Channel, key: string, message: Readonly<Record<string, unknown>>): void;
  /** Adopts an upgraded socket; `snapshot` is read once it is open and sent first. */
  add(socket: WebSocket, channel: Channel, key: string, snapshot: () => Promise<Record<string, unknown>>): void;
  readonly count: () => number;
  stats(): { readonly sockets: number; readonly dropped: number; readonly sent: number };
  close(): void;
}

export const envelope = (channel: Channel, type: string, body: Readonly<Record<string, unknown>>) =>
  JSON.stringify({ v: CHANNEL_VERSION, type, channel, ...body });

export function createChannels(limits: ChannelLimits): Channels {
  const subscribers = new Map<string, Set<Subscriber>>();
  let sockets = 0;
  let dropped = 0;
  let sent = 0;
  const slot = (channel: Channel, key: string) => `${channel}\u0000${key}`;

  const forget = (sub: Subscriber) => {
    const set = subscribers.get(slot(sub.channel, sub.key));
    if (set?.delete(sub)) {
      sockets--;
      if (set.size === 0) subscribers.delete(slot(sub.channel, sub.key));
    }
  };
  const drop = (sub: Subscriber, why: string) => {
    dropped++;
    forget(sub);
    try {
      sub.socket.close(1013, why);
    } catch { /* already closing */ }
  };
  const send = (sub: Subscriber, text: string) => {
    if (sub.socket.readyState !== WebSocket.OPEN) return;
    if (sub.socket.bufferedAmount > limits.maxBufferedBytes) {
      return drop(sub, "too slow: the channel is not being read");
    }
    sub.socket.send(text);
    sent++;
  };

  return {
    has(channel, key = "") {
      return subscribers.has(slot(channel, key));
    },
    publish(channel, key, message) {
      const set = subscribers.get(slot(channel, key));
      if (!set) return;
      const text = envelope(channel, message.type as string, message);
      for (const sub of [...set]) {
        if (sub.queue === undefined) send(sub, text);
        else if (sub.queue.length >= limits.maxQueued) drop(sub, "too slow: events piled up before the snapshot");
        else sub.queue.push(text);
      }
    },
    add(socket, channel, key, snapshot) {
      const sub: Subscriber = { socket, channel, key, queue: [] };
      const id = slot(channel, key);
      let set = subscribers.get(id);
      if (!set) subscribers.set(id, set = new Set());
      set.add(sub);
      sockets++;
      socket.addEventListener("open", async () => {
        let first: string;
        try {
          first = envelope(channel, "snapshot", await snapshot());
        } catch (err) {
          first = envelope(channel, "error", { error: `no snapshot: ${(err as Error).message}` });
        }
        const queued = sub.queue ?? [];
        sub.queue = undefined;
        send(sub, first);
        for (const text of queued) send(sub, text);
      });
      socket.addEventListener("close", () => forget(sub));
      socket.addEventListener("error", () => forget(sub));
      // Channels are push-only: a client that talks is ignored, not read into memory.
      socket.addEventListener("message", () => {});
    },
    count: () => sockets,
    stats: () => ({ sockets, dropped, sent }),
    close() {
      for (const set of subscribers.values()) {
        for (const sub of set) {
          try {
            sub.socket.close(1001, "daemon stopping");
          } catch { /* already closing */ }
        }
      }
      subscribers.clear();
      sockets = 0;
    },
  };
}
