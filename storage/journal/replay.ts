/** Rebuilding state from the journal: fold records in seq order, optionally starting from an actor's snapshot. */
import type { Journal, JournalRecord } from "./types.ts";

export interface ReplayOptions {
  readonly stream?: string;
  /** Records fetched per read; bounds memory on long journals. Default 1000. */
  readonly pageSize?: number;
}

export interface Replayed<S> {
  readonly state: S;
  /** The last seq folded in, or `fromSeq - 1` when there was none. */
  readonly lastSeq: number;
  readonly count: number;
}

export type Fold<S> = (state: S, record: JournalRecord) => S;

/** Folds every record with seq >= `fromSeq` into `initial`. */
export async function replay<S>(
  journal: Journal,
  fromSeq: number,
  fold: Fold<S>,
  initial: S,
  options: ReplayOptions = {},
): Promise<Replayed<S>> {
  const pageSize = options.pageSize ?? 1000;
  let state = initial;
  let lastSeq = fromSeq - 1;
  let count = 0;
  while (true) {
    const page = await journal.read({ fromSeq: lastSeq + 1, stream: options.stream, limit: pageSize });
    for (const record of page) {
      state = fold(state, record);
      lastSeq = record.seq;
    }
    count += page.length;
    if (page.length < pageSize) return { state, lastSeq, count };
  }
}

/**
 * Crash recovery for one actor: its last snapshot (or `initial`), then the tail of `stream` after the snapshot's seq.
 * `fromSnapshot` turns the stored JSON back into state.
 */
export async function recover<S>(
  journal: Journal,
  actor: string,
  stream: string,
  fold: Fold<S>,
  initial: S,
  fromSnapshot: (data: unknown) => S = (data) => data as S,
): Promise<Replayed<S>> {
  const snapshot = await journal.loadSnapshot(actor);
  const start = snapshot ? fromSnapshot(snapshot.data) : initial;
  return await replay(journal, (snapshot?.seq ?? 0) + 1, fold, start, { stream });
}
