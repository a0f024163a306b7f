/**
 * The TWS / IB Gateway socket through @stoqey/ib: connect (handshake, startApi, wait for nextValidId, which is when
 * TWS accepts requests), and request/response helpers over its event stream. Outgoing messages are throttled by the
 * library's own limiter (`maxReqPerSec`, 40 by default: below TWS's 50 messages/s, past which it answers error 100
 * and eventually disconnects). Shared by the venue client and the market data feed.
 */
import { EventName, IBApi } from "@stoqey/ib";
import { VenueError } from "../venue.ts";
import { isPacing } from "./mapping.ts";

export interface ConnectionConfig {
  readonly host: string;
  readonly port: number;
  readonly clientId: number;
  readonly timeoutMs: number;
  readonly maxReqPerSec: number;
}

// deno-lint-ignore no-explicit-any
export type Listener = (...args: any[]) => void;

/** IBApi's typed overloads name every event's arguments; we listen by name and read arguments positionally. */
interface Emitter {
  on(event: string, fn: Listener): unknown;
  off(event: string, fn: Listener): unknown;
}

export function listen(api: IBApi, event: EventName, fn: Listener): () => void {
  const em = api as unknown as Emitter;
  em.on(event, fn);
  return () => em.off(event, fn);
}

export interface Connected {
  readonly api: IBApi;
  readonly nextValidId: number;
  readonly serverVersion: number;
}

/** Connects; resolves once TWS sent nextValidId. A refused or silent socket is VenueError("unavailable"). */
export function connect(config: ConnectionConfig): Promise<Connected> {
  const api = new IBApi({
    host: config.host,
    port: config.port,
    clientId: config.clientId,
    maxReqPerSec: config.maxReqPerSec,
  });
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const done = (err?: Error, id?: number) => {
      clearTimeout(timer);
      for (const off of offs) off();
      if (err) {
        api.disconnect();
        reject(err);
      } else resolve({ api, nextValidId: id!, serverVersion: api.serverVersion });
    };
    const where = `${config.host}:${config.port} (client id ${config.clientId})`;
    const timer = setTimeout(
      () => done(new VenueError("unavailable", `TWS at ${where} did not answer in ${config.timeoutMs} ms`)),
      config.timeoutMs,
    );
    offs.push(listen(api, EventName.nextValidId, (id: number) => done(undefined, id)));
    offs.push(listen(api, EventName.error, (err: Error, code: number) => {
      // 502: cannot connect; 326: client id in use; 504: not connected.
      if (code === 502 || code === 326 || code === 504 || code === 503) {
        done(new VenueError("unavailable", `cannot connect to TWS at ${where}: ${err.message} (${code})`));
      }
    }));
    offs.push(listen(api, EventName.disconnected, () => done(new VenueError("unavailable", `TWS at ${where} closed`))));
    api.connect();
  });
}

export interface CollectSpec<T> {
  readonly api: IBApi;
  /** Request id the answer and its errors carry; undefined for requests without one (open orders, positions). */
  readonly reqId?: number;
  readonly send: () => void;
  readonly item: EventName;
  /** Picks an item from the event's arguments; undefined skips it (another request's answer). */
  // deno-lint-ignore no-explicit-any
  readonly pick: (...args: any[]) => T | undefined;
  readonly end: EventName;
  // deno-lint-ignore no-explicit-any
  readonly isEnd?: (...args: any[]) => boolean;
  readonly timeoutMs: number;
  readonly what: string;
}

/** Sends a request and collects its items until its end event. Errors for its id reject: pacing and silence as
 * "unavailable", anything else as "rejected". */
export function collect<T>(spec: CollectSpec<T>): Promise<T[]> {
  const out: T[] = [];
  return new Promise((resolve, reject) => {
    const offs: (() => void)[] = [];
    const finish = (err?: Error) => {
      clearTimeout(timer);
      for (const off of offs) off();
      if (err) reject(err);
      else resolve(out);
    };
    const timer = setTimeout(
      () => finish(new VenueError("unavailable", `${spec.what}: no answer from TWS in ${spec.timeoutMs} ms`)),
      spec.timeoutMs,
    );
    offs.push(listen(spec.api, spec.item, (...args: unknown[]) => {
      const v = spec.pick(...args);
      if (v !== undefined) out.push(v);
    }));
    offs.push(listen(spec.api, spec.end, (...args: unknown[]) => {
      if (!spec.isEnd || spec.isEnd(...args)) finish();
    }));
    offs.push(
      listen(
        spec.api,
        EventName.disconnected,
        () => finish(new VenueError("unavailable", `${spec.what}: TWS closed the connection`)),
      ),
    );
    if (spec.reqId !== undefined) {
      offs.push(listen(spec.api, EventName.error, (err: Error, code: number, reqId: number) => {
        if (reqId !== spec.reqId) return;
        const kind = isPacing(code, err.message) ? "unavailable" : "rejected";
        finish(new VenueError(kind, `${spec.what}: ${err.message} (IB ${code})`));
      }));
    }
    spec.send();
  });
}
