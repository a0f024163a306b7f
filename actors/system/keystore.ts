/**
 * Venue keys at rest: `<dataDir>/keys.json` (mode 0600), each entry encrypted with AES-256-GCM under a key derived
 * from a passphrase with PBKDF2-SHA256 (WebCrypto; 600,000 iterations, a random 16-byte salt per file, a random
 * 96-bit IV per entry and per write). The entry's name is authenticated with it (additional data), so entries cannot
 * be swapped. A check value, encrypted with the file's header as additional data, tells a wrong passphrase (or an
 * edited header) from a tampered entry.
 *
 * The passphrase comes from TRADEACTOR_KEYS_PASSPHRASE or the file TRADEACTOR_KEYS_PASSPHRASE_FILE (mode 0600, or it
 * is refused: a passphrase others can read protects nothing).
 */
import { resolve } from "node:path";

export const KEYSTORE_FILE = "keys.json";
export const KEYSTORE_FORMAT = "tradeactor-keystore";
export const KEYSTORE_VERSION = 1;
export const PBKDF2_ITERATIONS = 600_000;
export const PASSPHRASE_ENV = "TRADEACTOR_KEYS_PASSPHRASE";
export const PASSPHRASE_FILE_ENV = "TRADEACTOR_KEYS_PASSPHRASE_FILE";
const CHECK_TEXT = "tradeactor keystore check";
const MIN_PASSPHRASE = 12;

/** What one entry holds: a venue's API key and secret. */
export interface StoredKey {
  readonly apiKey: string;
  readonly secret: string;
}

interface Sealed {
  readonly iv: string;
  readonly data: string;
}

interface KeystoreFile {
  readonly format: typeof KEYSTORE_FORMAT;
  readonly version: number;
  readonly kdf: {
    readonly name: "PBKDF2";
    readonly hash: "SHA-256";
    readonly iterations: number;
    readonly salt: string;
  };
  readonly cipher: "AES-GCM";
  readonly check: Sealed;
  readonly entries: Record<string, Sealed>;
}

/** Why the store cannot be used; the message says what and where, never a secret. */
export class KeystoreError extends Error {
  override name = "KeystoreError";
}

/** An unlocked store: entries decrypt on demand; changes are written at once. */
export interface Keystore {
  readonly path: string;
  names(): string[];
  get(name: string): Promise<StoredKey>;
  put(name: string, key: StoredKey): Promise<void>;
  remove(name: string): Promise<boolean>;
}

export const keystorePath = (dataDir: string) => resolve(dataDir, KEYSTORE_FILE);

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export function checkKeyName(name: string): string {
  if (!NAME.test(name)) {
    throw new KeystoreError(`Invalid key name ${JSON.stringify(name)}: use letters, digits and _ . - (at most 64)`);
  }
  return name;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const unb64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

async function deriveKey(passphrase: string, salt: Uint8Array, iterations: number): Promise<CryptoKey> {
  const base = await crypto.subtle.importKey("raw", enc.encode(passphrase), "PBKDF2", false, ["deriveKey"]);
  return await crypto.subtle.deriveKey(
    { name: "PBKDF2", hash: "SHA-256", salt: salt as BufferSource, iterations },
    base,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
}

async function seal(key: CryptoKey, plain: string, aad: string): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: enc.encode(aad) },
    key,
    enc.encode(plain),
  );
  return { iv: b64(iv), data: b64(new Uint8Array(data)) };
}

/** The plaintext, or undefined when the tag does not verify (wrong key, or the bytes were changed). */
async function open(key: CryptoKey, sealed: Sealed, aad: string): Promise<string | undefined> {
  try {
    const iv = unb64(sealed.iv);
    if (iv.length !== 12) return undefined;
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: iv as BufferSource, additionalData: enc.encode(aad) },
      key,
      unb64(sealed.data) as BufferSource,
    );
    return dec.decode(plain);
  } catch {
    return undefined;
  }
}

const headerAad = (f: Pick<KeystoreFile, "format" | "version" | "kdf" | "cipher">) =>
  JSON.stringify([f.format, f.version, f.kdf.name, f.kdf.hash, f.kdf.iterations, f.kdf.salt, f.cipher]);
const entryAad = (name: string) => `${KEYSTORE_FORMAT}/${KEYSTORE_VERSION}/entry/${name}`;

function isSealed(v: unknown): v is Sealed {
  const s = v as Sealed;
  return typeof s === "object" && s !== null && typeof s.iv === "string" && typeof s.data === "string";
}

function parseFile(path: string, text: string): KeystoreFile {
  let doc: KeystoreFile;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new KeystoreError(`Cannot read the key store ${path}: not JSON (damaged or not a key store)`);
  }
  if (doc?.format !== KEYSTORE_FORMAT) throw new KeystoreError(`Cannot read ${path}: not a tradeactor key store`);
  if (doc.version !== KEYSTORE_VERSION) {
    throw new KeystoreError(
      `Cannot read the key store ${path}: format version ${doc.version}, this program reads ${KEYSTORE_VERSION}`,
    );
  }
  const kdf = doc.kdf;
  if (
    kdf?.name !== "PBKDF2" || kdf.hash !== "SHA-256" || !Number.isInteger(kdf.iterations) ||
    kdf.iterations < PBKDF2_ITERATIONS || typeof kdf.salt !== "string" || doc.cipher !== "AES-GCM" ||
    !isSealed(doc.check) || typeof doc.entries !== "object" || doc.entries === null ||
    !Object.values(doc.entries).every(isSealed)
  ) {
    throw new KeystoreError(`Cannot read the key store ${path}: its header is damaged or weakened`);
  }
  return doc;
}

async function writeFile(path: string, doc: KeystoreFile): Promise<void> {
  const tmp = `${path}.${Deno.pid}.tmp`;
  // Written aside with mode 0600 and renamed: never readable by others, never half written.
  await Deno.writeTextFile(tmp, JSON.stringify(doc, null, 2) + "\n", { mode: 0o600 });
  await Deno.chmod(tmp, 0o600);
  await Deno.rename(tmp, path);
}

async function fileMode(path: string): Promise<number | null | undefined> {
  try {
    return (await Deno.stat(path)).mode;
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return undefined;
    throw err;
  }
}

/** Refuses a file others may read or write (group or world bits set). */
async function checkPrivate(path: string, what: string): Promise<void> {
  const mode = await fileMode(path);
  if (mode !== undefined && mode !== null && (mode & 0o077) !== 0) {
    throw new KeystoreError(
      `${what} ${path} is readable by others (mode ${(mode & 0o777).toString(8).padStart(4, "0")}): ` +
        `chmod 600 ${path}`,
    );
  }
}

/**
 * Opens the store at `path` with the passphrase. A missing file is created when `create` is set (the passphrase given
 * now is the store's), else an error.
 */
export async function openKeystore(
  path: string,
  passphrase: string,
  options: { readonly create?: boolean } = {},
): Promise<Keystore> {
  if (passphrase.length === 0) throw new KeystoreError("The key store passphrase is empty");
  let doc: KeystoreFile;
  let key: CryptoKey;
  const exists = (await fileMode(path)) !== undefined;
  if (!exists) {
    if (!options.create) {
      throw new KeystoreError(`No key store at ${path}: add a key first (deno task live keys add NAME --config …)`);
    }
    if (passphrase.length < MIN_PASSPHRASE) {
      throw new KeystoreError(`The key store passphrase must have at least ${MIN_PASSPHRASE} characters`);
    }
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const header = {
      format: KEYSTORE_FORMAT,
      version: KEYSTORE_VERSION,
      kdf: { name: "PBKDF2", hash: "SHA-256", iterations: PBKDF2_ITERATIONS, salt: b64(salt) },
      cipher: "AES-GCM",
    } as const;
    key = await deriveKey(passphrase, salt, PBKDF2_ITERATIONS);
    doc = { ...header, check: await seal(key, CHECK_TEXT, headerAad(header)), entries: {} };
  } else {
    await checkPrivate(path, "The key store");
    doc = parseFile(path, await Deno.readTextFile(path));
    key = await deriveKey(passphrase, unb64(doc.kdf.salt), doc.kdf.iterations);
    if ((await open(key, doc.check, headerAad(doc))) !== CHECK_TEXT) {
      throw new KeystoreError(`Cannot unlock the key store ${path}: wrong passphrase (or its header was altered)`);
    }
  }
  let entries: Record<string, Sealed> = { ...doc.entries };
  const save = async () => {
    doc = { ...doc, entries };
    await writeFile(path, doc);
  };
  return {
    path,
    names: () => Object.keys(entries).sort(),
    async get(name) {
      const sealed = entries[name];
      if (!sealed) {
        throw new KeystoreError(
          `No key "${name}" in the key store ${path} (it has: ${Object.keys(entries).join(", ") || "none"})`,
        );
      }
      const plain = await open(key, sealed, entryAad(name));
      if (plain === undefined) {
        throw new KeystoreError(`The key "${name}" in ${path} fails its integrity check: the file was altered`);
      }
      const value = JSON.parse(plain) as StoredKey;
      return { apiKey: value.apiKey, secret: value.secret };
    },
    async put(name, value) {
      checkKeyName(name);
      if (!value.apiKey || !value.secret) throw new KeystoreError("Both the API key and the secret are required");
      entries = { ...entries, [name]: await seal(key, JSON.stringify(value), entryAad(name)) };
      await save();
    },
    async remove(name) {
      if (!(name in entries)) return false;
      const { [name]: _gone, ...rest } = entries;
      entries = rest;
      await save();
      return true;
    },
  };
}

/** The names in a store, without the passphrase (names are not secret). */
export async function listKeyNames(path: string): Promise<string[]> {
  if ((await fileMode(path)) === undefined) return [];
  return Object.keys(parseFile(path, await Deno.readTextFile(path)).entries).sort();
}

/**
 * The passphrase from the environment: TRADEACTOR_KEYS_PASSPHRASE, or the first line of the file named by
 * TRADEACTOR_KEYS_PASSPHRASE_FILE (refused unless mode 0600 or stricter). Undefined when neither is set.
 */
export async function passphraseFromEnv(env: (name: string) => string | undefined): Promise<string | undefined> {
  const direct = env(PASSPHRASE_ENV);
  if (direct) return direct;
  const file = env(PASSPHRASE_FILE_ENV);
  if (!file) return undefined;
  if ((await fileMode(file)) === undefined) {
    throw new KeystoreError(`${PASSPHRASE_FILE_ENV}: no file ${file}`);
  }
  await checkPrivate(file, `${PASSPHRASE_FILE_ENV}: the passphrase file`);
  const text = (await Deno.readTextFile(file)).split(/\r?\n/)[0];
  if (!text) throw new KeystoreError(`${PASSPHRASE_FILE_ENV}: ${file} is empty`);
  return text;
}
