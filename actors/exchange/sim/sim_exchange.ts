/**
 * The simulated exchange actor: the matching engine behind the interface every venue adapter offers.
 * Order events go to the order's owner; fills also go to the configured subscribers (portfolio, risk).
 */
import type { ActorContext, Behaviour } from "../../runtime/mod.ts";
import { onTick } from "./tick_matching.ts";
import { ConfigError } from "../../runtime/mod.ts";
import type { AdjustCapital, Bar, ExchangeMessage, OrderEvent } from "../../protocol/mod.ts";
import {
  accountEquity,
  adjustStrategyCapital,
  cancelAll,
  cancelOrder,
  createSimState,
  DEFAULT_SIM_CONFIG,
  type Emit,
  modifyOrder,
  onBar,
  type SimConfig,
  type SimState,
  submitOrder,
} from "./matching.ts";

/**
 * Every symbol's bar of one time in one message (a backtest with several symbols): handled exactly as that many
 * `Bar` messages in a row, for one message instead of one per symbol.
 */
export interface BarBatch {
  readonly type: "Bars";
  readonly bars: readonly Bar[];
}

/**
 * A venue adapter's messages, capital moved between strategies (the simulated venue keeps their sub-accounts), and
 * the backtest's bar batches.
 */
export type SimExchangeMessage = ExchangeMessage | AdjustCapital | BarBatch;

export interface SimExchangeConfig {
  readonly sim: SimConfig;
  /** Paths that receive every fill (OrderFilled / OrderPartiallyFilled). */
  readonly fillSubscribers: readonly string[];
}

export function parseSimExchangeConfig(raw: unknown, actor: string): SimExchangeConfig {
  const cfg = (raw ?? {}) as Partial<SimExchangeConfig> & { sim?: Partial<SimConfig> };
  const sim = { ...DEFAULT_SIM_CONFIG, ...cfg.sim };
  if (!(sim.initialCash > 0)) throw new ConfigError(actor, "sim.initialCash", `must be > 0, got ${sim.initialCash}`);
  if (!(sim.leverage >= 1)) throw new ConfigError(actor, "sim.leverage", `must be ≥ 1, got ${sim.leverage}`);
  if (sim.volumeShare !== undefined && !(sim.volumeShare > 0 && sim.volumeShare <= 1)) {
    throw new ConfigError(actor, "sim.volumeShare", `must be in (0, 1], got ${sim.volumeShare}`);
  }
  if (sim.fillAt !== "next_open" && sim.fillAt !== "close") {
    throw new ConfigError(actor, "sim.fillAt", `must be "next_open" or "close", got ${JSON.stringify(sim.fillAt)}`);
  }
  return { sim, fillSubscribers: cfg.fillSubscribers ?? [] };
}

interface State {
  readonly sim: SimState;
  readonly subscribers: readonly string[];
  /** Set per message: created once, not per message, since it runs for every bar. */
  ctx: ActorContext<SimExchangeMessage>;
  readonly emit: Emit;
}

export const simExchange: Behaviour<SimExchangeMessage, State, SimExchangeConfig> = {
  accepts: [
    "SubmitOrder",
    "CancelOrder",
    "ModifyOrder",
    "CancelAll",
    "Bar",
    "Bars",
    "Tick",
    "GetAccount",
    "AdjustCapital",
  ],
  parseConfig: parseSimExchangeConfig,
  init(config, ctx) {
    const state: State = {
      sim: createSimState(config.sim),
      subscribers: config.fillSubscribers,
      ctx,
      emit: (to: string, event: OrderEvent) => {
        state.ctx.tell(to, event);
        if (event.type === "OrderFilled" || event.type === "OrderPartiallyFilled") {
          for (const sub of state.subscribers) state.ctx.tell(sub, event);
        }
      },
    };
    return state;
  },
  receive(state, msg, ctx) {
    state.ctx = ctx;
    const emit = state.emit;
    switch (msg.type) {
      case "Bar":
        onBar(state.sim, msg.bar, emit);
        return state;
      case "Bars":
        for (let i = 0; i < msg.bars.length; i++) onBar(state.sim, msg.bars[i], emit);
        return state;
      case "Tick":
        // Tick backtests send ticks and no bars: orders match on each print or quote (tick_matching.ts).
        onTick(state.sim, msg.tick, emit);
        return state;
      case "SubmitOrder":
        submitOrder(state.sim, msg.order, msg.replyTo, ctx.clock.now(), emit);
        return state;
      case "CancelOrder":
        cancelOrder(state.sim, msg.clientOrderId, msg.strategyId, msg.replyTo, ctx.clock.now(), emit);
        return state;
      case "ModifyOrder":
        modifyOrder(state.sim, msg, msg.replyTo, ctx.clock.now(), emit);
        return state;
      case "CancelAll":
        cancelAll(state.sim, ctx.clock.now(), emit, msg.strategyId, msg.symbol);
        return state;
      case "AdjustCapital":
        adjustStrategyCapital(state.sim, msg.strategyId, msg.delta);
        return state;
      case "GetAccount": {
        const balances = [{ currency: "USD", free: state.sim.account.balance, locked: 0 }];
        ctx.reply({
          type: "Account",
          account: { venue: state.sim.config.venue, balances, ts: ctx.clock.now() },
          equity: accountEquity(state.sim),
        });
        return state;
      }
    }
  },
};

export default simExchange;
