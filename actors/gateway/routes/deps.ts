/** What route handlers share: the actors (by path only), the reads, the journal of control calls, the sessions. */
import type { Host } from "../../runtime/mod.ts";
import type { Audit } from "../audit.ts";
import type { Sessions, Tokens } from "../auth.ts";
import type { HealthReport } from "../health.ts";
import type { Route } from "../router.ts";
import type { PushHub } from "../ws_push.ts";
import type { StrategyControl } from "./strategy_control.ts";
import type { BacktestService } from "./backtest.ts";

export interface ControlDeps {
  readonly host: Host;
  readonly riskPath: string;
  readonly health: () => Promise<HealthReport>;
  /** The /status document, clipped and bounded, as JSON text. */
  readonly statusText: () => Promise<string>;
  readonly audit: Audit;
  readonly sessions: Sessions;
  readonly tokens: Tokens;
  readonly hub: PushHub;
  readonly strategies?: StrategyControl;
  readonly backtests?: BacktestService;
}

/** A route module: its routes, given the shared dependencies. */
export type RouteModule = (deps: ControlDeps) => readonly Route[];

/** "POST /api/v1/system/kill": how the journal names the route a call came through. */
export const routeName = (req: Request) => `${req.method} ${new URL(req.url).pathname}`;
