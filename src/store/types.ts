import type { StoredEvent } from '../core/log/chain.js';
import type { ImpactRow, RunRecord } from '../core/log/derived.js';
import type { ChainReport } from './chain-thread.js';
import type { RangeJob, RangeReport } from './sqlite-verify.js';
import type { Disposition, EventType, LoggedEvent, NewEvent } from '../core/log/events.js';
import type { AggregateQuery, StoreAggregates } from './stats-sql.js';

export interface EventQuery {
  automation?: string;
  runId?: string;
  /** Events of any of these runs. */
  runIds?: readonly string[];
  types?: EventType[];
  /** ISO 8601, inclusive. */
  since?: string;
  /** ISO 8601, exclusive. */
  until?: string;
  /** Only events that touched this downstream system (action_started, action_taken, impact_tagged). */
  system?: string;
  ref?: string;
  /** Only events after this seq (exclusive): with `order: 'asc'` and a `limit`, reads a long result a page at a time. */
  afterSeq?: number;
  order?: 'asc' | 'desc';
  limit?: number;
}

/** An event as the statistics fold reads it: the envelope, and the payload as parsed JSON. */
export interface FoldRow {
  seq: number;
  type: EventType;
  at: string;
  automation: string | null;
  runId: string | null;
  data: Readonly<Record<string, unknown>>;
}

/** A query over the runs table: one row a run. */
export interface RunQuery {
  runIds?: readonly string[];
  automation?: string;
  disposition?: Disposition;
  /** ISO 8601, inclusive: runs that started at or after it. */
  since?: string;
  /** Runs still running that started before this time (ISO 8601): started and never finished. */
  staleBefore?: string;
  /** Runs a person still has to decide (review or approval). */
  awaiting?: boolean;
  /** Runs sampled for the audit queue and not audited yet. */
  auditPending?: boolean;
  /** By the seq of the run's first event: 'desc' (newest first) unless told. */
  order?: 'asc' | 'desc';
  limit?: number;
}

/** A query over the impacts table: the records runs touched. */
export interface ImpactQuery {
  system?: string;
  ref?: string;
  runIds?: readonly string[];
  order?: 'asc' | 'desc';
  limit?: number;
}

/** An impacts row with the time and type of the event it comes from. */
export interface ImpactTouch extends ImpactRow {
  at: string;
  type: EventType;
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

/** What the events table holds, every row counted, inside the chain or not. */
export interface EventsTally {
  count: number;
  minSeq: number | null;
  maxSeq: number | null;
  /** The first few seqs below 1: rows outside the chain that no query reads. */
  outside: number[];
}

/**
 * Every row of every table the commands read, from one consistent snapshot,
 * for `log verify` to account for. Close it when done.
 */
export interface StoreAudit {
  tally(): Promise<EventsTally>;
  /**
   * The events from seq 1 on, in order, in pages, each payload as its stored
   * text. With `lean` (the chain is checked apart, by checkChain), only what
   * the rows are rebuilt from and the hash: id, v, actor and prevHash come
   * back empty.
   */
  events(opts?: { lean?: boolean }): AsyncIterable<StoredEvent[]>;
  /** Every impacts row, whatever its seq, in seq order. */
  impacts(): AsyncIterable<ImpactRow[]>;
  /** Every runs row, in order of first_seq (roughly: verify holds a row that comes early until the chain reaches it). */
  runs(): AsyncIterable<RunRecord[]>;
  /**
   * Optional: checks the hash chain from seq 1 to `toSeq` on its own (a thread
   * with its own connection), as createVerifier would, while the caller
   * accounts for the rows.
   */
  checkChain?(toSeq: number): Promise<ChainReport>;
  /**
   * Optional: threads (`count` of them) that verify ranges of seqs side by
   * side, each the chain and the account of its rows, on this snapshot. Null
   * when the store cannot give them this snapshot (appends kept moving it):
   * then verify reads the rows through the methods above.
   */
  ranges?(count: number): Promise<RangeVerify | null>;
  /** How the schema differs from the one aigov created: a trigger or constraint missing, changed or disabled. */
  schemaProblems(): Promise<string[]>;
  close(): Promise<void>;
}

/** Threads that verify a log in ranges of seqs, on the snapshot of the audit that made them. Close when done. */
export interface RangeVerify {
  /** The largest seq in the events table (0 for none), as the snapshot holds it. */
  maxSeq(): Promise<number>;
  /** Verifies seqs 1..toSeq: each range's report, in seq order. */
  run(toSeq: number): Promise<{ ranges: RangeJob[]; reports: RangeReport[] }>;
  /** The seq and hash of every event of 1..toSeq, in order (for the seals), from the same snapshot. */
  hashes(toSeq: number): AsyncIterable<{ seq: number; hash: string }[]>;
  /** The impacts rows outside 1..toSeq, which no range reads. */
  impactsOutside(toSeq: number): Promise<ImpactRow[]>;
  close(): Promise<void>;
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
  /**
   * `query` for the statistics fold: the same events, without id, actor and
   * the hashes, each payload parsed as JSON but not checked against its type's
   * schema (the fold reads every field defensively, and `log verify` is where a
   * payload that breaks its schema is named). Several times cheaper than
   * `query` over a long history.
   */
  queryForFold(q: EventQuery): Promise<FoldRow[]>;
  /** Every event from `fromSeq` on, in order, streamed in pages (constant memory). */
  scan(fromSeq?: number): AsyncIterable<LoggedEvent>;
  /**
   * Optional: what `scan` reads, a page at a time and with each payload left as
   * the stored text its hash covers. `log verify` uses it when present.
   */
  scanStored?(fromSeq?: number): AsyncIterable<StoredEvent[]>;
  /** Runs rows, streamed in pages (constant memory): indexed, so a filter never reads the events. */
  queryRuns(q: RunQuery): AsyncIterable<RunRecord[]>;
  /** Impacts rows with their event's time, through the record index. */
  queryImpacts(q: ImpactQuery): Promise<ImpactTouch[]>;
  head(): Promise<ChainHead | null>;
  /**
   * Optional: the statistics' aggregates of the runs table (stats-sql.ts), a
   * few thousand cells whatever the log's length. Without it the statistics
   * come from a fold over every event.
   */
  aggregateRuns?(q: AggregateQuery): Promise<StoreAggregates>;
  /** Optional: a snapshot of every table for `log verify`; a store without one cannot be fully verified. */
  audit?(): Promise<StoreAudit>;
  close(): Promise<void>;
}
