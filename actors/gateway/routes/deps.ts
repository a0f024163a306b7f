/** What route handlers share: the actors (by path only), the reads, the journal of control calls, the sessions. */
import { AskTimeoutError, errorText, type Host, type OpenMessage } from "../../runtime/mod.ts";
import type { Audit } from "../audit.ts";
import type { Sessions, Tokens } from "../auth.ts";
import type { Channels } from "../channels.ts";
import type { HealthReport } from "../health.ts";
import { refuse } from "../http.ts";
import type { JournalView } from "../journal_view.ts";
import type { LogTail } from "../log_tail.ts";
import type { RequestContext, Route } from "../router.ts";
import type { PushHub } from "../ws_push.ts";
import type { StrategyControl } from "./strategy_control.ts";
import type { BacktestService } from "./backtest.ts";

export interface ControlDeps {
  readonly host: Host;
  readonly riskPath: string;
  readonly paths: { readonly risk: string; readonly portfolio: string; readonly exchange: string };
  /** host.ask with the endpoint's timeout; rejects when the actor does not answer. */
  readonly ask: (path: string, msg: OpenMessage) => Promise<Record<string, unknown>>;
  readonly health: () => Promise<HealthReport>;
  /** The /status document, clipped and bounded, as JSON text. */
  readonly statusText: () => Promise<string>;
  readonly audit: Audit;
  readonly sessions: Sessions;
  readonly tokens: Tokens;
  readonly hub: PushHub;
  readonly strategies?: StrategyControl;
  readonly backtests?: BacktestService;
  /** The journal's read model; undefined when the endpoint was given no journal (those routes answer 503). */
  readonly view: JournalView | undefined;
  readonly channels: Channels;
  /** The daemon's recent log lines; absent: /api/v1/logs answers 503 and /ws/logs sends an empty snapshot. */
  readonly logs?: LogTail;
  /** No room for another WebSocket (the /ws push and the channels share the cap). */
  readonly socketsFull: () => boolean;
  /** Reads need a credential (not loopback, or a read token is set): the OpenAPI document's security says so. */
  readonly readsProtected: boolean;
  /** Every route of the endpoint (for the OpenAPI document). */
  readonly routes: () => readonly Route[];
}

/** A route module: its routes, given the shared dependencies. */
export type RouteModule = (deps: ControlDeps) => readonly Route[];

/** "POST /api/v1/system/kill": how the journal names the route a call came through. */
export const routeName = (req: Request) => `${req.method} ${new URL(req.url).pathname}`;

/** What a handler answers when an actor or the journal cannot serve it: 503 with the reason. */
export class Unavailable extends Error {
  override name = "Unavailable";
}

/** The handler, with "an actor did not answer" and "no journal" turned into 503 instead of an internal error. */
export const guarded = (handle: (ctx: RequestContext) => Promise<Response>) => async (ctx: RequestContext) => {
  try {
    return await handle(ctx);
  } catch (err) {
    if (err instanceof Unavailable || err instanceof AskTimeoutError) return refuse(503, errorText(err));
    throw err;
  }
};

/** The journal's read model, caught up. */
export async function journalView(deps: ControlDeps): Promise<JournalView> {
  if (!deps.view) throw new Unavailable("this endpoint has no journal to read");
  try {
    await deps.view.sync();
  } catch (err) {
    throw new Unavailable(`the journal could not be read: ${errorText(err)}`);
  }
  return deps.view;
}

/** Reads in flight, by actor and request: concurrent readers share one ask (a burst costs the actor one answer). */
const inFlight = new WeakMap<ControlDeps, Map<string, Promise<Record<string, unknown>>>>();

/** An actor's answer to a read-only request (shared with concurrent callers), or Unavailable naming the actor. */
export function askActor(deps: ControlDeps, path: string, type: string): Promise<Record<string, unknown>> {
  let reads = inFlight.get(deps);
  if (!reads) inFlight.set(deps, reads = new Map());
  const key = `${path} ${type}`;
  let read = reads.get(key);
  if (!read) {
    read = deps.ask(path, { type }).catch((err) => {
      throw new Unavailable(`${path} did not answer ${type}: ${errorText(err)}`);
    }).finally(() => reads.delete(key));
    reads.set(key, read);
  }
  return read;
}
