// Appends as plain data, for a writer that assigns seq and hashes itself: the
// SQLite writer thread, and (in arrays) PostgreSQL's aigov_append. Everything
// that does not depend on the seq is done here, on the caller's side: the
// payload checked and serialized, the canonical text around the seq, the
// impacts and the runs-row patch. The writer adds seq, prevHash and hash.
import { hashParts, type PreparedRow } from '../core/log/chain.js';
import { FIRST, RUN_COLUMNS, SEQ_COLUMNS, SET, impactRows, runRules, type RunColumn, type RunSink } from '../core/log/derived.js';
import type { LoggedEvent } from '../core/log/events.js';
import { AigovError } from '../errors.js';
import type { AppendRequest, Outcome } from './group-commit.js';
import { checkCondition, conditionSql } from './sql.js';

export interface WireEvent {
  /** The event's columns after seq, before prev_hash: id, v, type, at, automation, run_id, actor, data. */
  columns: (string | number | null)[];
  /** The hashed text is `before + data + middle + seq + after`. */
  before: string;
  middle: string;
  after: string;
  impacts: [system: string, ref: string | null, action: string | null][];
  /** The runs upsert's parameters (runUpsertParams), with the seq still to put in at SEQ_SLOTS; null for an event of no run. */
  run: (string | number | null)[] | null;
}

export interface WireRequest {
  /** The condition's SQL (one `?` a parameter), its parameters, and the seq it expects (null: none). */
  expect: { sql: string; params: unknown[]; lastSeq: number | null } | null;
  events: WireEvent[];
}

export type WireResult =
  | { ok: true; seqs: number[]; prevs: string[]; hashes: string[] }
  | { ok: false; conflict: number | null }
  | { ok: false; error: string; code: string | null };

/** Where the runs upsert's parameters hold the values of the seq columns (first_seq, last_seq, start_seq…). */
export const SEQ_SLOTS: readonly number[] = RUN_COLUMNS.flatMap(([c], n) => (SEQ_COLUMNS.has(c) ? [1 + n] : []));

/** An event as derived.ts sees it before it has a seq: rules that read the seq get 0 (the writer puts in the real one). */
const unsequenced = (p: PreparedRow['event']): LoggedEvent =>
  ({ v: p.v, seq: 0, id: p.id, type: p.type, at: p.at, automation: p.automation, runId: p.runId, actor: p.actor, data: p.data, prevHash: '', hash: '' }) as LoggedEvent;

const COLUMN_SLOT = Object.fromEntries(RUN_COLUMNS.map(([c], n) => [c, n + 1])) as Record<RunColumn, number>;
const MODES = 1 + RUN_COLUMNS.length;

/** Writes the rules straight into the runs upsert's parameters (what runUpsertParams makes of a runPatch), with no patch in between. */
class ParamsSink implements RunSink {
  params: (string | number | null)[] = [];
  set(column: RunColumn, value: string | number | null): void {
    this.params[COLUMN_SLOT[column]] = value;
    this.params[MODES + COLUMN_SLOT[column] - 1] = SET;
  }
  first(column: RunColumn, value: string | number | null): void {
    this.params[COLUMN_SLOT[column]] = value;
    this.params[MODES + COLUMN_SLOT[column] - 1] = FIRST;
  }
}
const sink = new ParamsSink();

function runParams(event: LoggedEvent): (string | number | null)[] | null {
  if (event.runId === null) return null;
  const params: (string | number | null)[] = new Array(1 + 2 * RUN_COLUMNS.length).fill(null, 0, MODES).fill(0, MODES);
  params[0] = event.runId;
  sink.params = params;
  runRules(event, sink);
  return params;
}

export function wireRequest(req: AppendRequest): WireRequest {
  return {
    expect: req.expect ? { ...conditionSql(req.expect, () => '?'), lastSeq: req.expect.lastSeq } : null,
    events: req.rows.map((p): WireEvent => {
      const e = p.event;
      const event = unsequenced(e);
      const parts = hashParts(e);
      return {
        columns: [e.id, e.v, e.type, e.at, e.automation, e.runId, e.actor, p.dataJson],
        before: parts.before,
        middle: parts.middle,
        after: parts.after,
        impacts: impactRows(event).map((i) => [i.system, i.ref, i.action]),
        run: runParams(event),
      };
    }),
  };
}

/** What each caller gets from a writer's results: its events, or its own error. */
export function outcomes(reqs: readonly AppendRequest[], results: readonly WireResult[], url: string): Outcome[] {
  return reqs.map((req, k): Outcome => {
    const r = results[k];
    if (!r.ok) {
      if ('conflict' in r) {
        try {
          checkCondition(req.expect!, r.conflict);
        } catch (conflict) {
          return { ok: false, error: conflict };
        }
        return { ok: false, error: new AigovError('E_STORE', `the run log at ${url} reported a conflict its condition does not explain`, { exitCode: 3 }) };
      }
      const busy = r.code?.startsWith('SQLITE_BUSY');
      return {
        ok: false,
        error: busy
          ? new AigovError('E_STORE_BUSY', `the run log ${url} stayed locked by another writer: ${r.error}`, { exitCode: 3, hint: 'another process holds a long write transaction on it' })
          : new AigovError('E_STORE', `cannot append to the run log ${url}: ${r.error}`, { exitCode: 3 }),
      };
    }
    const events = req.rows.map(({ event: p }, j) => {
      // A literal, not a spread: this runs once an event.
      return { v: p.v, seq: r.seqs[j], id: p.id, type: p.type, at: p.at, automation: p.automation, runId: p.runId, actor: p.actor, data: p.data, prevHash: r.prevs[j], hash: r.hashes[j] } as LoggedEvent;
    });
    return { ok: true, events };
  });
}
