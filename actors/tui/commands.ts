/**
 * The `:` command line: one table gives the commands, their parsing and the help text, and every command that can
 * trade or let trading go on (stop, start, kill, resume) says what it will do and waits for `y`.
 */
import { LOG_LEVELS, type LogLevel, type Snapshot } from "./model.ts";
import { quantity } from "./text.ts";

export type Command =
  | { readonly type: "stop"; readonly id: string; readonly flatten: boolean }
  | { readonly type: "start"; readonly id: string }
  | { readonly type: "kill"; readonly flatten: boolean }
  | { readonly type: "resume"; readonly reason: string }
  | { readonly type: "level"; readonly level: LogLevel }
  | { readonly type: "strategy"; readonly id?: string }
  | { readonly type: "help" }
  | { readonly type: "quit" };

/** What a command may take from the screen: the strategy under the cursor, when the strategies pane has focus. */
export interface CommandContext {
  readonly selectedStrategy?: string;
}

interface CommandSpec {
  readonly names: readonly string[];
  readonly usage: string;
  readonly help: string;
  /** The command, or what is wrong with the arguments. */
  readonly parse: (args: readonly string[], ctx: CommandContext) => Command | string;
}

const ID = /^[A-Za-z0-9_.][A-Za-z0-9_.-]{0,19}$/;

function strategyId(args: readonly string[], ctx: CommandContext, usage: string): string | { error: string } {
  const id = args[0] ?? ctx.selectedStrategy;
  if (id === undefined) return { error: `which strategy? ${usage}` };
  if (!ID.test(id)) return { error: `not a strategy id: ${JSON.stringify(id)}` };
  return id;
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    names: ["stop"],
    usage: ":stop ID [flatten]",
    help: "stop a strategy: cancel its orders, keep its positions (flatten: close them); asks first",
    parse: (args, ctx) => {
      // `:stop flatten` on a selected strategy: the word is the option, not an id.
      if (args.length === 1 && args[0] === "flatten" && ctx.selectedStrategy) {
        return { type: "stop", id: ctx.selectedStrategy, flatten: true };
      }
      const id = strategyId(args, ctx, ":stop ID [flatten]");
      if (typeof id !== "string") return id.error;
      const rest = args.slice(args[0] === undefined ? 0 : 1);
      if (rest.length > 1 || (rest.length === 1 && rest[0] !== "flatten")) {
        return `:stop takes an id and optionally "flatten", got ${JSON.stringify(args.join(" "))}`;
      }
      return { type: "stop", id, flatten: rest[0] === "flatten" };
    },
  },
  {
    names: ["start"],
    usage: ":start ID",
    help: "let a stopped strategy trade again; asks first",
    parse: (args, ctx) => {
      if (args.length > 1) return ":start takes one strategy id";
      const id = strategyId(args, ctx, ":start ID");
      return typeof id === "string" ? { type: "start", id } : id.error;
    },
  },
  {
    names: ["kill"],
    usage: ":kill [keep]",
    help: "kill switch: cancel every order, flatten every position (keep: leave them), halt; asks first",
    parse: (args) =>
      args.length === 0
        ? { type: "kill", flatten: true }
        : args.length === 1 && args[0] === "keep"
        ? { type: "kill", flatten: false }
        : `:kill takes nothing or "keep", got ${JSON.stringify(args.join(" "))}`,
  },
  {
    names: ["resume"],
    usage: ":resume REASON",
    help: "back to ACTIVE after a halt (the reason is journaled); asks first",
    parse: (args) =>
      args.length === 0 ? ":resume needs a reason (it is journaled)" : { type: "resume", reason: args.join(" ") },
  },
  {
    names: ["level"],
    usage: ":level LEVEL",
    help: `log pane: the lowest level shown (${LOG_LEVELS.join(", ")})`,
    parse: (args) =>
      args.length === 1 && (LOG_LEVELS as readonly string[]).includes(args[0])
        ? { type: "level", level: args[0] as LogLevel }
        : `:level takes one of ${LOG_LEVELS.join(", ")}`,
  },
  {
    names: ["strategy"],
    usage: ":strategy [ID]",
    help: "log pane: only this strategy's lines (no ID: every line)",
    parse: (args) => {
      if (args.length === 0) return { type: "strategy" };
      if (args.length > 1 || !ID.test(args[0])) return ":strategy takes one strategy id, or nothing for all";
      return { type: "strategy", id: args[0] };
    },
  },
  { names: ["help", "h"], usage: ":help", help: "this help", parse: () => ({ type: "help" }) },
  { names: ["q", "quit"], usage: ":q", help: "quit", parse: () => ({ type: "quit" }) },
];

/** The text after `:` → a command, or what is wrong with it. */
export function parseCommand(line: string, ctx: CommandContext = {}): Command | { readonly error: string } {
  const [name, ...args] = line.trim().split(/\s+/).filter(Boolean);
  if (name === undefined) return { error: "empty command" };
  const spec = COMMANDS.find((c) => c.names.includes(name));
  if (!spec) return { error: `unknown command :${name} (:help lists them)` };
  const parsed = spec.parse(args, ctx);
  return typeof parsed === "string" ? { error: parsed } : parsed;
}

const positionsText = (positions: readonly { symbol: string; qty: number }[], flatten: boolean) =>
  positions.filter((p) => p.qty !== 0).map((p) =>
    `${p.symbol} ${quantity(p.qty)}${flatten ? ` (${p.qty > 0 ? "sell" : "buy"} ${quantity(Math.abs(p.qty))})` : ""}`
  ).join(", ") || "none";

/** What a confirmed command will do, in words, from what the screen knows now. */
export function describe(c: Command, s: Snapshot): string {
  switch (c.type) {
    case "stop": {
      const strategy = s.strategies?.find((x) => x.id === c.id);
      const orders = s.orders?.filter((o) => o.strategyId === c.id).length;
      const positions = positionsText(strategy?.positions ?? [], c.flatten);
      return `Stop ${c.id}: cancel its open orders (${orders ?? "?"}), ${
        c.flatten ? `FLATTEN its positions with market orders: ${positions}` : `keep its positions: ${positions}`
      }; it trades no more until :start ${c.id}.`;
    }
    case "start":
      return `Start ${c.id}: it may place orders again.`;
    case "kill": {
      const positions = positionsText(s.status?.portfolio?.total?.positions ?? [], c.flatten);
      return `KILL SWITCH: cancel every open order (${s.orders?.length ?? "?"}), ${
        c.flatten ? `FLATTEN every position with market orders: ${positions}` : `keep the positions: ${positions}`
      }, and HALT trading until :resume.`;
    }
    case "resume":
      return `Resume: trading goes back to ACTIVE and every strategy may place orders again (reason: ${c.reason}).`;
    case "level":
    case "strategy":
    case "help":
    case "quit":
      return "";
  }
}

/** The help lines of the command line, from the table. */
export const commandHelp = (): string[] => COMMANDS.map((c) => `${c.usage.padEnd(22)} ${c.help}`);
