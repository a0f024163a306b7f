/**
 * The /ws status push: one timer for all sockets, one status read and one serialisation per tick, the same bounded
 * text to every client. A client that does not keep up (its unsent bytes above `maxBufferedBytes`) is dropped
 * rather than buffered without end, and the number of sockets is capped.
 */

export interface PushLimits {
  readonly everyMs: number;
  readonly maxBufferedBytes: number;
  readonly maxSockets: number;
}

export interface PushHub {
  /** Adopts an upgraded socket; false when the cap is reached (the caller refuses the upgrade). */
  readonly full: () => boolean;
  add(socket: WebSocket): void;
  stats(): { readonly sockets: number; readonly dropped: number };
  close(): void;
}

export function createPushHub(limits: PushLimits, document: () => Promise<string>): PushHub {
  const sockets = new Set<WebSocket>();
  let dropped = 0;
  let timer: ReturnType<typeof setInterval> | undefined;
  let busy = false;
  const stopWhenIdle = () => {
    if (sockets.size === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };

  const sendTo = (socket: WebSocket, text: string) => {
    if (socket.readyState !== WebSocket.OPEN) return;
    if (socket.bufferedAmount > limits.maxBufferedBytes) {
      dropped++;
      sockets.delete(socket);
      stopWhenIdle();
      socket.close(1013, "too slow: the status push is not being read");
      return;
    }
    socket.send(text);
  };
  const tick = async () => {
    if (busy || sockets.size === 0) return; // a slow read is not stacked up behind itself
    busy = true;
    try {
      const text = await document();
      for (const socket of [...sockets]) sendTo(socket, text);
    } finally {
      busy = false;
    }
  };
  return {
    full: () => sockets.size >= limits.maxSockets,
    add(socket) {
      sockets.add(socket);
      socket.addEventListener("open", () => {
        void document().then((text) => sendTo(socket, text)).catch(() => {});
        timer ??= setInterval(() => void tick().catch(() => {}), limits.everyMs);
      });
      const forget = () => {
        sockets.delete(socket);
        stopWhenIdle();
      };
      socket.addEventListener("close", forget);
      socket.addEventListener("error", forget);
    },
    stats: () => ({ sockets: sockets.size, dropped }),
    close() {
      for (const socket of sockets) socket.close(1001, "daemon stopping");
      sockets.clear();
      stopWhenIdle();
    },
  };
}
