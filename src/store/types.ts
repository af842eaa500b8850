import type { StoredEvent } from '../core/log/chain.js';
import type { EventType, LoggedEvent, NewEvent } from '../core/log/events.js';

export interface EventQuery {
  automation?: string;
  runId?: string;
  types?: EventType[];
  /** ISO 8601, inclusive. */
  since?: string;
  /** ISO 8601, exclusive. */
  until?: string;
  /** Only events that touched this downstream system (action_started, action_taken, impact_tagged). */
  system?: string;
  ref?: string;
  order?: 'asc' | 'desc';
  limit?: number;
}

/**
 * A conditional append: the events are appended only if, inside the same
 * transaction, the newest event of `runId` whose type is one of `types` still
 * has seq `lastSeq` (null: the run has no such event). Otherwise nothing is
 * appended and `append` throws a ConflictError. This is how two racing
 * reviewers, two acts on one run or two reverts are refused for all but one.
 */
export interface AppendCondition {
  runId: string;
  types: readonly EventType[];
  lastSeq: number | null;
}

export interface AppendOptions {
  expect?: AppendCondition;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * The append-only run log. Every backend passes the same contract tests.
 * Appends are serialized across processes and hosts, so the chain never forks.
 */
export interface Store {
  readonly url: string;
  /** Appends all events in one transaction, chained after the current head. */
  append(events: NewEvent[], opts?: AppendOptions): Promise<LoggedEvent[]>;
  query(q: EventQuery): Promise<LoggedEvent[]>;
  /** Every event from `fromSeq` on, in order, streamed in pages (constant memory). */
  scan(fromSeq?: number): AsyncIterable<LoggedEvent>;
  /**
   * Optional: what `scan` reads, a page at a time and with each payload left as
   * the stored text its hash covers. `log verify` uses it when present.
   */
  scanStored?(fromSeq?: number): AsyncIterable<StoredEvent[]>;
  head(): Promise<ChainHead | null>;
  close(): Promise<void>;
}
