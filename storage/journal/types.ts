/** The event journal's contract, shared by every backend (SQL, Redis Streams). */

/** An event as handed to `append`: `eventId` makes appends idempotent; the journal assigns `seq`. */
export interface NewEvent {
  readonly eventId: string;
  /** Which history the event belongs to, e.g. an actor path ("/strategies/ma-btc") or "orders". */
  readonly stream: string;
  readonly type: string;
  /** Event time, epoch ms. */
  readonly ts: number;
  /** Any JSON-serialisable value. */
  readonly payload: unknown;
}

export interface JournalRecord extends NewEvent {
  /** Global sequence number: strictly increasing in append order across all streams (not necessarily gapless). */
  readonly seq: number;
}

export interface ReadOptions {
  /** Inclusive. Default: the start. */
  readonly fromSeq?: number;
  /** Inclusive. Default: the end. */
  readonly toSeq?: number;
  readonly stream?: string;
  readonly limit?: number;
}

export interface Snapshot {
  readonly actor: string;
  /** The last seq folded into `data`: replay resumes after it. */
  readonly seq: number;
  readonly data: unknown;
}

export interface Journal {
  /**
   * Appends a batch atomically and returns the seq of each event in input order. An event whose `eventId` is already
   * stored (or repeated in the batch) is not stored again: its existing seq is returned.
   */
  append(events: readonly NewEvent[]): Promise<number[]>;
  /** Records in seq order. */
  read(options?: ReadOptions): Promise<JournalRecord[]>;
  /** The highest seq assigned so far, 0 when empty. */
  lastSeq(): Promise<number>;
  saveSnapshot(actor: string, seq: number, data: unknown): Promise<void>;
  loadSnapshot(actor: string): Promise<Snapshot | undefined>;
  close(): Promise<void>;
}
