/**
 * A control endpoint over a small in-process tree (real portfolio and risk guardian unless a stub replaces them,
 * a stub venue adapter, a stub journal that keeps what it is sent), plus raw HTTP for what `fetch` will not send
 * (a foreign Host header).
 */
import {
  type ActorSpec,
  createInProcessHost,
  type InProcessOptions,
  type SupervisorSpec,
} from "../../../actors/runtime/mod.ts";
import { type ControlOptions, type ControlServer, startControlServer } from "../../../actors/gateway/server.ts";

const actor = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const STUB = new URL("./stub_actor.ts", import.meta.url).href;

export const ADMIN = "admin-token-0123456789abcdef";
export const READ = "read-token-0123456789abcdef";

export const stub = (id: string, replies: Record<string, Record<string, unknown>> = {}): ActorSpec => ({
  kind: "actor",
  id,
  module: STUB,
  config: { replies },
});

export interface HarnessOptions {
  /** Replaces the real risk guardian. */
  readonly risk?: ActorSpec;
  readonly portfolio?: ActorSpec;
  readonly adapter?: Record<string, unknown>;
  readonly extra?: readonly ActorSpec[];
  readonly tree?: Partial<SupervisorSpec>;
  readonly host?: InProcessOptions;
  /** `paths` here are merged into the defaults. */
  readonly control?: Partial<Omit<ControlOptions, "paths">> & { readonly paths?: Partial<ControlOptions["paths"]> };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;

export async function startHarness(options: HarnessOptions = {}) {
  const host = createInProcessHost({ logSink: () => {}, ...options.host });
  await host.start({
    kind: "supervisor",
    id: "g",
    strategy: "one_for_one",
    ...options.tree,
    children: [
      stub("journal"),
      options.portfolio ??
        { kind: "actor", id: "portfolio", module: actor("portfolio/portfolio.ts"), config: { capital: { s: 5_000 } } },
      options.risk ?? {
        kind: "actor",
        id: "risk",
        module: actor("risk_guardian/risk_guardian.ts"),
        config: { limits: {}, exchanges: { paper: "g/exchange" } },
      },
      stub("exchange", {
        GetAdapterState: {
          venue: "paper",
          phase: "ready",
          balances: [{ currency: "USD", free: 10_000, locked: 0 }],
          ...options.adapter,
        },
      }),
      ...(options.extra ?? []),
    ],
  });
  const server: ControlServer = startControlServer({
    host,
    hostname: "127.0.0.1",
    port: 0,
    tokens: { admin: ADMIN },
    ...options.control,
    paths: {
      risk: "g/risk",
      portfolio: "g/portfolio",
      exchange: "g/exchange",
      journal: "g/journal",
      feed: "g/feed",
      strategy: (id) => `g/strategies/${id}`,
      ...options.control?.paths,
    },
  });
  const port = Number(new URL(server.url).port);
  const received = async (path: string) =>
    (await host.ask(path, { type: "GetReceived" }, 3_000)) as unknown as {
      messages: { type: string; [k: string]: unknown }[];
      appended: { stream: string; type: string; payload: Record<string, unknown> }[];
      asked: Record<string, number>;
    };
  return {
    host,
    server,
    url: server.url,
    port,
    /** What the journal was asked to append. */
    journaled: async () => (await received("g/journal")).appended,
    received,
    trading: async () =>
      ((await host.ask("g/risk", { type: "GetRiskState" }, 3_000)) as unknown as { trading: string }).trading,
    close: async () => {
      await server.close();
      await host.stop();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const JSON_TYPE = { "content-type": "application/json" };

/** One HTTP/1.1 request over a plain TCP socket, exactly as written; returns the status line's code and the text. */
export async function rawRequest(port: number, head: string, body = ""): Promise<{ status: number; text: string }> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(`${head.replaceAll("\n", "\r\n")}\r\n\r\n${body}`));
    const chunks: Uint8Array[] = [];
    const buf = new Uint8Array(64 * 1024);
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      chunks.push(buf.slice(0, n));
      const text = new TextDecoder().decode(concat(chunks));
      const end = text.indexOf("\r\n\r\n");
      const m = /content-length: (\d+)/i.exec(text);
      if (end >= 0 && m && text.length >= end + 4 + Number(m[1])) break;
    }
    const text = new TextDecoder().decode(concat(chunks));
    return { status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(text)?.[1]), text };
  } finally {
    conn.close();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
