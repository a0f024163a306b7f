// One WebSocket channel ({v:1,type,channel,…}: a snapshot, then events) that reconnects with backoff and asks for a
// fresh snapshot each time, so a view rebuilt from the snapshot survives a dropped connection.
import { wsUrl } from "./api.js";

const open = new Set();
/** Listeners told when any channel opens or closes (the header's link state). */
const watchers = new Set();
export const onLinkChange = (fn) => watchers.add(fn);
const told = () => {
  for (const fn of watchers) fn(open.size);
};

/**
 * Subscribes to `path`; `handlers.snapshot(msg)` on every (re)connect, `handlers.event(msg)` after.
 * Returns { close, reconnect }.
 */
export function subscribe(path, handlers) {
  let socket;
  let retries = 0;
  let timer;
  let closed = false;
  const connect = () => {
    clearTimeout(timer);
    socket = new WebSocket(wsUrl(path));
    socket.onopen = () => {
      retries = 0;
      open.add(path);
      told();
    };
    socket.onmessage = (e) => {
      let msg;
      try {
        msg = JSON.parse(e.data);
      } catch {
        return;
      }
      if (msg.type === "snapshot") handlers.snapshot?.(msg);
      else if (msg.type === "error") handlers.error?.(msg.error);
      else handlers.event?.(msg);
    };
    socket.onclose = () => {
      open.delete(path);
      told();
      if (closed) return;
      timer = setTimeout(connect, Math.min(10_000, 500 * 2 ** retries++));
    };
  };
  connect();
  return {
    close() {
      closed = true;
      clearTimeout(timer);
      socket.onclose = null;
      socket.close();
      open.delete(path);
      told();
    },
    reconnect() {
      retries = 0;
      socket.onclose = null;
      socket.close();
      open.delete(path);
      connect();
    },
  };
}
