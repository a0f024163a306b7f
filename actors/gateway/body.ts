/**
 * Reads a request body as strict JSON within a byte limit and a time limit. A body that is too large is refused
 * before it is buffered (Content-Length) or as soon as it grows past the limit (chunked); a malformed or truncated
 * body is an error, never an empty object a handler could read as "use the defaults".
 */

export type BodyResult =
  | { readonly ok: true; readonly value: unknown }
  | { readonly ok: false; readonly status: 400 | 408 | 413; readonly error: string };

const tooLarge = (limit: number): BodyResult => ({
  ok: false,
  status: 413,
  error: `the body is larger than ${limit} bytes`,
});

async function readLimited(req: Request, limit: number, signal: AbortSignal): Promise<Uint8Array | "too large"> {
  if (!req.body) return new Uint8Array();
  const reader = req.body.getReader();
  const onAbort = () => reader.cancel().catch(() => {});
  signal.addEventListener("abort", onAbort);
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw signal.reason;
      if (done) break;
      size += value.byteLength;
      if (size > limit) {
        await reader.cancel().catch(() => {});
        return "too large";
      }
      chunks.push(value);
    }
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** `emptyAs`: what an empty body means (undefined: an empty body is an error like any other non-JSON). */
export async function readJson(
  req: Request,
  options: { readonly maxBytes: number; readonly timeoutMs: number; readonly emptyAs?: unknown },
): Promise<BodyResult> {
  const declared = req.headers.get("content-length");
  if (declared !== null && Number(declared) > options.maxBytes) {
    await req.body?.cancel().catch(() => {});
    return tooLarge(options.maxBytes);
  }
  let bytes: Uint8Array | "too large";
  try {
    bytes = await readLimited(req, options.maxBytes, AbortSignal.timeout(options.timeoutMs));
  } catch {
    return { ok: false, status: 408, error: `the body did not arrive within ${options.timeoutMs} ms` };
  }
  if (bytes === "too large") return tooLarge(options.maxBytes);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, status: 400, error: "the body is not valid UTF-8" };
  }
  if (text.trim() === "" && options.emptyAs !== undefined) return { ok: true, value: options.emptyAs };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const why = text.trim() === "" ? "the body is empty" : (err as Error).message;
    return { ok: false, status: 400, error: `the body is not valid JSON: ${why}` };
  }
}
