/**
 * The daemon's side of /api/v1/strategies: adds, updates, removes, starts and stops strategies of the running tree,
 * by messages to the actors, one change at a time, each journaled (stream "strategies", strategy_roster.ts) before
 * the call answers.
 *
 * Add: checked in full first (id, module, params against the strategy's schema, venue, symbols, capital against
 * that venue's account, limits); then its venue (the default venue unless it names one) gets its sub-account capital, the strategies supervisor the new child, the risk guardian its owner path, bar
 * subscription, capital and limits (it answers with its bar clock position), and the portfolio its capital from
 * that bar. Update: new params reach the strategy just before the next bar it is fed (its supervisor restarts the
 * strategy with them, keeping positions, cash, open orders and order ids; see strategy_supervisor.ts); new limits
 * are in force at once. Remove: the guardian stops it (orders cancelled, flattened or kept), then the child goes.
 * Start and stop are the guardian's EnableStrategy and DisableStrategy (STOPPED).
 */
import type { Host } from "../runtime/mod.ts";
import { errorText } from "../runtime/mod.ts";
import type { Journal } from "../../storage/journal/types.ts";
import { ParamError, validateParams } from "../../strategies/params.ts";
import type { LimitPatch } from "../risk_guardian/limit_changes.ts";
import { validatePatch } from "../risk_guardian/limit_changes.ts";
import type { RosterReply } from "../risk_guardian/roster.ts";
import type { StrategyReport } from "../risk_guardian/strategy_status.ts";
import type {
  AddStrategyRequest,
  Answer,
  AvailableStrategy,
  StrategyControl,
  StrategyView,
  UpdateStrategyRequest,
  Why,
} from "../gateway/routes/strategy_control.ts";
import type { LiveConfig } from "./live_config.ts";
import { feedSymbolsOf, PATHS, strategySpec, venuePaths } from "./live_tree.ts";
import { type Roster, type RosterEntry, rosterEvent, type RosterRecord } from "./strategy_roster.ts";
import { allowedStrategy, displayName, loadDefinition, strategyFiles } from "./strategy_sources.ts";
import { BUILT_INS } from "../../strategies/registry.ts";
import { STRATEGY_ID, venueOf } from "./config_strategies.ts";

export interface StrategyControlOptions {
  readonly host: Host;
  readonly journal: Journal;
  /** The daemon's config, with the strategies it runs (the roster's entries). */
  readonly config: LiveConfig;
  readonly roster: Roster;
  readonly askTimeoutMs?: number;
  readonly now?: () => number;
}

const fail = (status: number, error: string): Answer => ({ ok: false, status, error });
const RESERVED = new Set(["available"]);

export function createStrategyControl(options: StrategyControlOptions): StrategyControl {
  const { host, journal, config } = options;
  const timeout = options.askTimeoutMs ?? 10_000;
  const now = options.now ?? Date.now;
  const entries = new Map(options.roster.entries.map((e) => [e.id, e]));
  const retired = new Set(options.roster.retired);
  const dir = config.api.strategiesDir;
  const several = Object.keys(config.venues).length > 1;
  let seq = 0;
  // One change at a time: each reads the set the one before left.
  let turn: Promise<unknown> = Promise.resolve();
  const serial = (work: () => Promise<Answer>): Promise<Answer> => {
    const next = turn.then(work, work);
    turn = next.catch(() => {});
    return next;
  };
  const ask = <R>(path: string, msg: Record<string, unknown> & { type: string }) =>
    host.ask(path, msg, timeout) as Promise<R>;
  const record = (r: RosterRecord, why: Why) => journal.append([rosterEvent(r, why, now(), ++seq)]);

  async function statuses(): Promise<Record<string, StrategyReport> | undefined> {
    const state = await ask<{ strategies?: Record<string, StrategyReport> }>(PATHS.risk, { type: "GetRiskState" })
      .catch(() => undefined);
    return state?.strategies;
  }

  function view(e: RosterEntry, report: StrategyReport | undefined | null): StrategyView {
    return {
      id: e.id,
      strategy: e.strategy,
      origin: e.origin,
      params: e.params,
      symbols: e.symbols,
      capital: e.capital,
      venue: venueOf(e, config.venues).name,
      ...(e.limits ? { limits: e.limits as Record<string, number> } : {}),
      status: report === null ? "unknown" : report?.status ?? "ACTIVE",
      ...(report?.reason ? { reason: report.reason } : {}),
      ...(report?.since ? { since: report.since } : {}),
    };
  }

  async function checkParams(module: string, id: string, raw: Readonly<Record<string, unknown>> | undefined) {
    const def = await loadDefinition(module);
    if (typeof def === "string") return def;
    try {
      return validateParams(def.name ?? id, def.params, raw, def.constraint) as Record<string, unknown>;
    } catch (err) {
      if (err instanceof ParamError) return err.message;
      throw err;
    }
  }

  function checkAdd(req: AddStrategyRequest): string | undefined {
    if (!STRATEGY_ID.test(req.id) || req.id.length > 20 || RESERVED.has(req.id)) {
      return `id "${req.id}" must be ≤ 20 letters, digits, _ . or inner - (a client order id prefix), not "available"`;
    }
    const venue = config.venues[venueName(req)];
    if (venue === undefined) {
      return `venue "${req.venue}" is not configured (venues: ${Object.keys(config.venues).join(", ")})`;
    }
    // A venue's feed carries what its strategies of the config file trade (the default venue's: every feed symbol).
    const feedSymbols = feedSymbolsOf(config, venue.name);
    if (feedSymbols.length === 0) {
      return `venue ${venue.name} has no feed: no strategy of the config file trades there, so no symbol is fed to it`;
    }
    const symbols = req.symbols ?? feedSymbols;
    for (const s of symbols) {
      if (!feedSymbols.includes(s)) {
        return `symbols: no feed for ${s} at venue ${venue.name} (its feed has ${feedSymbols.join(", ")})`;
      }
    }
    if (venue.type === "paper") {
      // Strategies are sub-accounts of their venue's account: only that venue's strategies share its cash.
      const used = [...entries.values()].filter((e) => venueOf(e, config.venues).name === venue.name)
        .reduce((sum, e) => sum + e.capital, 0);
      const field = several ? `venues.${venue.name}.initialCash` : "venue.initialCash";
      if (used + req.capital > venue.initialCash * (1 + 1e-9)) {
        return `capital ${req.capital} would bring the strategies' capital to ${used + req.capital}, above the paper ` +
          `account's cash (${field} ${venue.initialCash}); ${venue.initialCash - used} is free`;
      }
    }
    if (req.limits) {
      const errors = validatePatch({ kind: "strategy", strategyId: req.id }, req.limits);
      if (errors.length > 0) return errors.join("; ");
    }
    return undefined;
  }

  /** The venue an added strategy trades at: the one it names, else the default. */
  const venueName = (req: AddStrategyRequest) => req.venue ?? config.venue.name;

  async function add(req: AddStrategyRequest, why: Why): Promise<Answer> {
    if (entries.has(req.id)) return fail(409, `strategy ${req.id} is already running`);
    if (retired.has(req.id)) {
      return fail(
        409,
        `id ${req.id} was used by a strategy that traded before (its client order ids are in the journal): ` +
          `choose another id`,
      );
    }
    const problem = checkAdd(req);
    if (problem) return fail(400, problem);
    const allowed = allowedStrategy(req.strategy, dir);
    if (!allowed.ok) return fail(400, allowed.error);
    const params = await checkParams(allowed.module, req.id, req.params);
    if (typeof params === "string") return fail(400, params);
    const refused = why.commit?.();
    if (refused) return fail(503, refused);
    const venue = venueName(req);
    const entry: RosterEntry = {
      id: req.id,
      strategy: displayName(allowed.module, dir),
      module: allowed.module,
      params,
      symbols: req.symbols ?? feedSymbolsOf(config, venue),
      capital: req.capital,
      // Journaled with it: a restarted daemon starts it at the same venue.
      ...(several || req.venue !== undefined ? { venue } : {}),
      ...(req.limits ? { limits: req.limits } : {}),
      origin: "api",
    };
    // The venue first: from its first bar the strategy may size orders from its own capital.
    try {
      await ask(venuePaths(config, venue).exchange, {
        type: "SetStrategyCapital",
        strategyId: entry.id,
        capital: entry.capital,
      });
    } catch (err) {
      return fail(503, `not added: the venue adapter did not take the strategy's capital (${errorText(err)})`);
    }
    try {
      await host.addChild(PATHS.strategies, strategySpec(config, entry));
    } catch (err) {
      return fail(400, `not added: the strategy cannot start: ${errorText(err)}`);
    }
    let reply: RosterReply;
    try {
      reply = await ask<RosterReply>(PATHS.risk, {
        type: "AddStrategy",
        strategyId: entry.id,
        path: PATHS.strategy(entry.id),
        symbols: entry.symbols,
        capital: entry.capital,
        ...(several ? { venue } : {}),
        ...(entry.limits ? { limits: entry.limits } : {}),
        reason: why.reason,
        by: why.by,
      });
    } catch (err) {
      reply = { type: "RosterRefused", strategyId: entry.id, error: errorText(err) };
    }
    if (reply.type === "RosterRefused") {
      await host.removeChild(PATHS.strategy(entry.id)).catch(() => {});
      return fail(409, `not added: the risk guardian refused it (${reply.error})`);
    }
    const at = reply.at;
    host.tell(PATHS.portfolio, {
      type: "AddStrategyCapital",
      strategyId: entry.id,
      capital: entry.capital,
      after: at,
      ...(several ? { venue } : {}),
    });
    const { origin: _, joinedAt: __, ...strategy } = entry;
    try {
      await record({ op: "add", strategy, at }, why);
    } catch (err) {
      // Not journaled, it would not come back after a restart while its orders would: take it out again.
      await ask(PATHS.risk, { type: "RemoveStrategy", strategyId: entry.id, flatten: true, reason: "not journaled" })
        .catch(() => {});
      await host.removeChild(PATHS.strategy(entry.id)).catch(() => {});
      retired.add(entry.id);
      return fail(503, `not added: the journal is unavailable (${errorText(err)})`);
    }
    entries.set(entry.id, { ...entry, joinedAt: at });
    return { ok: true, status: 201, body: { strategy: view(entry, undefined), at } };
  }

  async function update(id: string, req: UpdateStrategyRequest, why: Why): Promise<Answer> {
    const entry = entries.get(id);
    if (!entry) return fail(404, `no strategy ${id}`);
    if (req.params === undefined && req.limits === undefined) return fail(400, "give params and/or limits to change");
    let params: Record<string, unknown> | undefined;
    if (req.params !== undefined) {
      const checked = await checkParams(entry.module, id, req.params);
      if (typeof checked === "string") return fail(400, checked);
      params = checked;
    }
    let patch: LimitPatch | undefined;
    if (req.limits !== undefined) {
      const removed = Object.keys(entry.limits ?? {}).filter((k) => !(k in req.limits!));
      patch = { ...req.limits, ...Object.fromEntries(removed.map((k) => [k, null])) };
      const errors = validatePatch({ kind: "strategy", strategyId: id }, patch);
      if (errors.length > 0) return fail(400, errors.join("; "));
    }
    const refused = why.commit?.();
    if (refused) return fail(503, refused);
    let at = null;
    if (params) {
      const reply = await ask<RosterReply>(PATHS.risk, {
        type: "ReconfigureStrategy",
        strategyId: id,
        params,
        reason: why.reason,
        by: why.by,
      }).catch((err) => ({ type: "RosterRefused", strategyId: id, error: errorText(err) }) as const);
      if (reply.type === "RosterRefused") return fail(503, `not changed: ${reply.error}`);
      at = reply.at;
    }
    if (patch) {
      const reply = await ask<{ type: string; errors?: string[] }>(PATHS.risk, {
        type: "SetLimits",
        scope: { kind: "strategy", strategyId: id },
        limits: patch,
        reason: why.reason,
        by: why.by,
      }).catch((err) => ({ type: "LimitsRejected", errors: [errorText(err)] }));
      if (reply.type !== "LimitsSet") return fail(400, `limits not changed: ${(reply.errors ?? []).join("; ")}`);
    }
    const next: RosterEntry = {
      ...entry,
      ...(params ? { params } : {}),
      ...(req.limits ? { limits: req.limits } : {}),
    };
    entries.set(id, next);
    try {
      await record({
        op: "update",
        strategyId: id,
        ...(params ? { params } : {}),
        ...(req.limits ? { limits: req.limits } : {}),
        at,
      }, why);
    } catch (err) {
      return fail(503, `changed, but the journal is unavailable: a restart would not repeat it (${errorText(err)})`);
    }
    return {
      ok: true,
      status: 200,
      body: {
        strategy: view(next, undefined),
        at,
        ...(params ? { params: "in force from the next bar the strategy is fed" } : {}),
        ...(patch ? { limits: "in force now" } : {}),
      },
    };
  }

  async function remove(id: string, flatten: boolean | undefined, why: Why): Promise<Answer> {
    if (!entries.has(id)) return fail(404, `no strategy ${id}`);
    const flat = flatten ?? config.quarantinePolicy === "flatten";
    const refused = why.commit?.();
    if (refused) return fail(503, refused);
    const reply = await ask<RosterReply>(PATHS.risk, {
      type: "RemoveStrategy",
      strategyId: id,
      flatten: flat,
      reason: why.reason,
      by: why.by,
    }).catch((err) => ({ type: "RosterRefused", strategyId: id, error: errorText(err) }) as const);
    if (reply.type === "RosterRefused") return fail(503, `not removed: ${reply.error}`);
    entries.delete(id);
    retired.add(id);
    const stopped = await host.removeChild(PATHS.strategy(id)).then(() => undefined, errorText);
    try {
      await record({ op: "remove", strategyId: id, flatten: flat, at: reply.at }, why);
    } catch (err) {
      return fail(503, `removed, but the journal is unavailable: a restart would bring it back (${errorText(err)})`);
    }
    return {
      ok: true,
      status: 200,
      body: {
        removed: id,
        flatten: flat,
        at: reply.at,
        orders: "cancelled",
        positions: flat ? "being flattened by the risk guardian" : "kept",
        ...(stopped ? { warning: `its actor did not stop cleanly: ${stopped}` } : {}),
      },
    };
  }

  /** Tells the guardian, then reads back what it made of it (same sender: in order). */
  async function setStatus(id: string, msg: Record<string, unknown> & { type: string }, want: string, why: Why) {
    const entry = entries.get(id);
    if (!entry) return fail(404, `no strategy ${id}`);
    const refused = why.commit?.();
    if (refused) return fail(503, refused);
    try {
      host.tell(PATHS.risk, msg);
    } catch (err) {
      return fail(503, `the risk guardian could not be reached: ${errorText(err)}`);
    }
    const report = (await statuses())?.[id];
    const strategy = view(entry, report ?? null);
    if (strategy.status !== want) {
      return fail(409, `strategy ${id} is ${strategy.status}${strategy.reason ? ` (${strategy.reason})` : ""}`);
    }
    return { ok: true, status: 200, body: { strategy } } as Answer;
  }

  return {
    async available(): Promise<AvailableStrategy[]> {
      const out: AvailableStrategy[] = [];
      for (const [name, module] of Object.entries(BUILT_INS)) {
        const def = await loadDefinition(module);
        if (typeof def !== "string") {
          out.push({
            name,
            source: "built-in",
            ...(def.description ? { description: def.description } : {}),
            params: def.params,
          });
        }
      }
      for (const name of dir ? strategyFiles(dir) : []) {
        const allowed = allowedStrategy(name, dir);
        const def = allowed.ok ? await loadDefinition(allowed.module) : allowed.error;
        out.push(
          typeof def === "string" ? { name, source: "file", error: def } : {
            name,
            source: "file",
            ...(def.description ? { description: def.description } : {}),
            params: def.params,
          },
        );
      }
      return out;
    },
    async list() {
      const reports = await statuses();
      return [...entries.values()].map((e) => view(e, reports ? reports[e.id] : null));
    },
    add: (req, why) => serial(() => add(req, why)),
    update: (id, req, why) => serial(() => update(id, req, why)),
    remove: (id, flatten, why) => serial(() => remove(id, flatten, why)),
    start: (id, why) =>
      serial(() =>
        setStatus(
          id,
          { type: "EnableStrategy", strategyId: id, reason: `${why.reason} (by ${why.by})` },
          "ACTIVE",
          why,
        )
      ),
    stop: (id, flatten, why) =>
      serial(() =>
        setStatus(
          id,
          {
            type: "DisableStrategy",
            strategyId: id,
            status: "STOPPED",
            reason: `${why.reason} (by ${why.by})`,
            flatten: flatten ?? config.quarantinePolicy === "flatten",
          },
          "STOPPED",
          why,
        )
      ),
  };
}
