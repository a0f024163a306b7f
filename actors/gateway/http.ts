/** Responses of the control endpoint: JSON with the same defensive headers everywhere, and errors as `{ error }`. */

/** Sent with every response: no caching of account data, no MIME sniffing, no framing (the kill button). */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
};

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body, null, 2), {
    status,
    headers: { ...BASE_HEADERS, "content-type": "application/json", ...headers },
  });
}

/** An error answer; `error` says what was refused and why, never echoing a secret. */
export const refuse = (status: number, error: string, headers: Record<string, string> = {}): Response =>
  json({ error }, status, headers);
