/**
 * Command-line parsing shared by the commands: node:util's parseArgs, plus what it leaves out. A negative number is
 * a value (`--cash -5`), so the command's own check can say what is wrong with it; an option given twice is an
 * error, not "the last one wins".
 */
import { parseArgs, type ParseArgsConfig } from "node:util";

export type Options = NonNullable<ParseArgsConfig["options"]>;

/** Bad usage: the command prints it with its help and exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** A failure the user can act on (a file that cannot be read or written, bad data): exit 1, no stack trace. */
export class CommandError extends Error {
  override name = "CommandError";
}

/** True for an operating-system error (Deno.errors.*): no such file, permission denied, not a directory, … */
export function isOsError(err: unknown): err is Error {
  return Object.values(Deno.errors).some((E) => err instanceof E);
}

/** True for parseArgs' own errors (unknown option, missing value), which are usage errors too. */
export function isParseArgsError(err: unknown): boolean {
  return String((err as { code?: unknown })?.code ?? "").startsWith("ERR_PARSE_ARGS");
}

const NEGATIVE_NUMBER = /^-(\d|\.\d|Infinity$)/;

export function parseCommandLine<O extends Options>(
  args: readonly string[],
  options: O,
  allowPositionals = false,
) {
  const joined: string[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      joined.push(...args.slice(i));
      break;
    }
    const name = longName(arg, options);
    if (name !== undefined) {
      seen.set(name, (seen.get(name) ?? 0) + 1);
      const spec = options[name];
      if (spec.type === "string" && !arg.includes("=") && NEGATIVE_NUMBER.test(args[i + 1] ?? "")) {
        joined.push(`${arg}=${args[++i]}`);
        continue;
      }
    }
    joined.push(arg);
  }
  for (const [name, count] of seen) {
    if (count > 1 && !options[name].multiple) throw new UsageError(`--${name} is given ${count} times; give it once`);
  }
  try {
    return parseArgs({ args: joined, options, allowPositionals, strict: true });
  } catch (err) {
    if (isParseArgsError(err)) throw new UsageError(firstLine((err as Error).message));
    throw err;
  }
}

/** `--cash` or `--cash=5` → "cash", or `-c` → "config" for a known short flag; undefined otherwise. */
function longName(arg: string, options: Options): string | undefined {
  if (arg.startsWith("--")) {
    const name = arg.slice(2).split("=", 1)[0];
    return name in options ? name : undefined;
  }
  if (/^-[A-Za-z]$/.test(arg)) return Object.keys(options).find((k) => options[k].short === arg[1]);
  return undefined;
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0];
}

/**
 * `NAME=VALUE` pairs of a repeatable option (`--param fast=10`), each name once: a repeated name is a mistake
 * (which one was meant?), not "the last one wins".
 */
export function namedValues(flag: string, items: readonly string[] = []): Map<string, string> {
  const out = new Map<string, string>();
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq <= 0) throw new UsageError(`--${flag} expects NAME=VALUE, got "${item}"`);
    const name = item.slice(0, eq);
    if (out.has(name)) {
      throw new UsageError(`--${flag} ${name} is given twice ("${out.get(name)}" and "${item.slice(eq + 1)}")`);
    }
    out.set(name, item.slice(eq + 1));
  }
  return out;
}
