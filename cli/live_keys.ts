/**
 * `deno task live keys add|list|remove`: the encrypted key store in the daemon's data directory
 * (actors/system/keystore.ts).
 *
 * At a terminal, the passphrase (unless TRADEACTOR_KEYS_PASSPHRASE or …_FILE is set), the API key and the secret are
 * asked for without echo. Otherwise stdin gives the API key and the secret, one line each, and the passphrase must
 * come from the environment: nothing secret ever goes on the command line (where `ps` shows it).
 */
import { parseArgs } from "node:util";
import { resolve } from "node:path";
import { loadDataDir } from "../actors/system/live_config.ts";
import {
  checkKeyName,
  KeystoreError,
  keystorePath,
  listKeyNames,
  openKeystore,
  PASSPHRASE_ENV,
  PASSPHRASE_FILE_ENV,
  passphraseFromEnv,
} from "../actors/system/keystore.ts";

export const KEYS_USAGE = `Usage: deno task live keys add NAME     (--config FILE | --data-dir DIR)
       deno task live keys list         (--config FILE | --data-dir DIR)
       deno task live keys remove NAME  (--config FILE | --data-dir DIR)

Keys are stored encrypted (PBKDF2-SHA256 + AES-256-GCM) in keys.json in the daemon's data directory. The passphrase
comes from ${PASSPHRASE_ENV} or the file named by ${PASSPHRASE_FILE_ENV} (mode 0600), or is asked for at a
terminal. "add" asks for the API key and the secret without echo; from a pipe it reads them as two lines.
A venue uses a stored key with "apiKey": "keystore:NAME" in the config.`;

const OPTIONS = {
  config: { type: "string", short: "c" },
  "data-dir": { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

/** Reads input lines: a terminal without echo, or stdin's lines in order. */
export interface Input {
  readonly terminal: boolean;
  secret(prompt: string): Promise<string>;
}

export async function runKeysCommand(args: string[], input: Input = stdinInput()): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args, options: OPTIONS, allowPositionals: true });
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${KEYS_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    console.log(KEYS_USAGE);
    return 0;
  }
  const [action, name, ...extra] = positionals;
  const usage = (why: string) => {
    console.error(`${why}\n\n${KEYS_USAGE}`);
    return 2;
  };
  if (action === undefined) return usage("keys needs a command: add, list or remove");
  if (!["add", "list", "remove"].includes(action)) return usage(`unknown keys command "${action}"`);
  if (extra.length > 0) return usage(`unexpected arguments: ${extra.join(" ")}`);
  if (!values.config === !values["data-dir"]) return usage("give one of --config FILE or --data-dir DIR");
  const needsName = action === "add" || action === "remove";
  if (needsName && !name) return usage(`keys ${action} needs a NAME`);
  if (action === "list" && name) return usage("keys list takes no NAME");
  try {
    const dataDir = values.config ? await loadDataDir(values.config) : resolve(values["data-dir"]!);
    const path = keystorePath(dataDir);
    switch (action) {
      case "list": {
        for (const n of await listKeyNames(path)) console.log(n);
        return 0;
      }
      case "add": {
        checkKeyName(name);
        const exists = await Deno.stat(path).then(() => true, () => false);
        const passphrase = await askPassphrase(input, !exists);
        const store = await openKeystore(path, passphrase, { create: true });
        const apiKey = (await input.secret(`API key for ${name}: `)).trim();
        const secret = (await input.secret(`API secret for ${name}: `)).trim();
        if (!apiKey || !secret) {
          throw new KeystoreError("Both the API key and the secret are required (nothing stored)");
        }
        const replaced = store.names().includes(name);
        await Deno.mkdir(dataDir, { recursive: true });
        await store.put(name, { apiKey, secret });
        console.log(`${replaced ? "replaced" : "stored"} key "${name}" in ${path}`);
        return 0;
      }
      case "remove": {
        // The passphrase proves the right to change the store; removing is a write like any other.
        const store = await openKeystore(path, await askPassphrase(input, false));
        if (!(await store.remove(name))) {
          console.error(`no key "${name}" in ${path}`);
          return 1;
        }
        console.log(`removed key "${name}" from ${path}`);
        return 0;
      }
      default:
        return usage(`unknown keys command "${action}"`);
    }
  } catch (err) {
    console.error(`live keys: ${(err as Error).message}`);
    return 1;
  }
}

async function askPassphrase(input: Input, creating: boolean): Promise<string> {
  const fromEnv = await passphraseFromEnv((n) => Deno.env.get(n));
  if (fromEnv !== undefined) return fromEnv;
  if (!input.terminal) {
    throw new KeystoreError(`set ${PASSPHRASE_ENV} or ${PASSPHRASE_FILE_ENV} (stdin is not a terminal to ask on)`);
  }
  const first = await input.secret("Key store passphrase: ");
  if (creating && (await input.secret("Again, to confirm: ")) !== first) {
    throw new KeystoreError("the passphrases differ (nothing stored)");
  }
  return first;
}

/** stdin as the command's input: raw mode without echo at a terminal, else its lines. */
export function stdinInput(): Input {
  const terminal = Deno.stdin.isTerminal();
  let lines: string[] | undefined;
  return {
    terminal,
    async secret(prompt) {
      if (terminal) return await readHidden(prompt);
      lines ??= (await new Response(Deno.stdin.readable).text()).split(/\r?\n/);
      const line = lines.shift();
      if (line === undefined) throw new KeystoreError(`stdin ended before: ${prompt.replace(/: $/, "")}`);
      return line;
    },
  };
}

/** A line typed at the terminal, not shown. Ctrl-C aborts, backspace edits. */
async function readHidden(prompt: string): Promise<string> {
  const out = new TextEncoder();
  // Echo off before the prompt shows: what is typed after it must never appear.
  Deno.stdin.setRaw(true);
  await Deno.stderr.write(out.encode(prompt));
  let text = "";
  try {
    const buffer = new Uint8Array(64);
    for (;;) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) break;
      for (const ch of new TextDecoder().decode(buffer.subarray(0, n))) {
        if (ch === "\r" || ch === "\n") return text;
        if (ch === "\x03" || ch === "\x04") throw new KeystoreError("cancelled (nothing stored)");
        if (ch === "\x7f" || ch === "\b") text = text.slice(0, -1);
        else if (ch >= " ") text += ch;
      }
    }
    return text;
  } finally {
    Deno.stdin.setRaw(false);
    await Deno.stderr.write(out.encode("\n"));
  }
}
