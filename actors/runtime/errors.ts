/** Runtime errors. Each names the actor it concerns, so a log line alone says where to look. */

export class ActorError extends Error {
  constructor(readonly actor: string, message: string, options?: ErrorOptions) {
    super(`${actor}: ${message}`, options);
    this.name = new.target.name;
  }
}

/** An actor's config failed validation; `field` names the offending key. */
export class ConfigError extends ActorError {
  constructor(actor: string, readonly field: string, why: string) {
    super(actor, `invalid config at "${field}": ${why}`);
  }
}

export class InitError extends ActorError {}

export class UnknownMessageError extends ActorError {
  constructor(actor: string, readonly messageType: string) {
    super(actor, `unknown message type "${messageType}"`);
  }
}

export class MessageNotCloneableError extends ActorError {
  constructor(actor: string, readonly messageType: string, cause: unknown) {
    super(actor, `message "${messageType}" cannot be structured-cloned: ${errorText(cause)}`, { cause });
  }
}

export class MailboxFullError extends ActorError {
  constructor(actor: string, readonly capacity: number) {
    super(actor, `mailbox full (capacity ${capacity})`);
  }
}

export class AskTimeoutError extends ActorError {
  constructor(actor: string, readonly messageType: string, readonly timeoutMs: number) {
    super(actor, `no reply to "${messageType}" within ${timeoutMs} ms`);
  }
}

export class NoSuchActorError extends ActorError {
  constructor(path: string) {
    super(path, "no such actor");
  }
}

export class ClockError extends Error {
  override name = "ClockError";
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Ends an exhaustive `switch`: a new union member fails the type-check where it is not handled. */
export function assertNever(value: never, what = "value"): never {
  const type = (value as { type?: unknown })?.type;
  throw new Error(`unhandled ${what}: ${type === undefined ? JSON.stringify(value) : String(type)}`);
}
