/**
 * Every accepted mutating call is journaled (stream "control") with who made it (the principal's id, never a token),
 * why (the operator's reason), from where and through which route. Refused requests never get here.
 */
import type { Host } from "../runtime/mod.ts";
import { errorText } from "../runtime/mod.ts";
import type { Principal } from "./auth.ts";

export interface ControlEvent {
  /** e.g. "kill", "resume", "session:open". */
  readonly action: string;
  readonly principal: Principal | undefined;
  readonly why: string;
  readonly route: string;
  readonly client: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

export type Audit = (event: ControlEvent) => { readonly ok: true } | { readonly ok: false; readonly error: string };

export function createAudit(host: Host, journalPath: string, now: () => number): Audit {
  // Unique across restarts of the daemon within one millisecond: a random run id.
  const run = crypto.randomUUID();
  let seq = 0;
  return (event) => {
    const ts = now();
    const payload = {
      action: event.action,
      who: event.principal?.id ?? "anonymous",
      scope: event.principal?.scope,
      why: event.why,
      route: event.route,
      client: event.client,
      ...(event.detail ? { detail: event.detail } : {}),
    };
    try {
      host.tell(journalPath, {
        type: "Append",
        events: [{
          eventId: `control:${run}:${++seq}`,
          stream: "control",
          type: `control:${event.action}`,
          ts,
          payload,
        }],
      });
      return { ok: true };
    } catch (err) {
      return { ok: false, error: errorText(err) };
    }
  };
}
