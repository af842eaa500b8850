// The rows the store derives from events, for indexed queries: one impacts row
// per downstream record an event names, and one runs row per run. Each store
// writes them in the transaction of their events, and `log verify` rebuilds
// them from the chain with these same functions and compares. Pure.
//
// A runs row changes by patches, one per event of the run, each column either
// set or filled only while still empty (the first value stands). Both stores
// apply a patch with one generic SQL upsert and verify applies it in memory,
// so the rules below are the only place what a runs row holds is decided.
import { sketchBucket } from '../stats/sketch.js';
import type { Disposition, LoggedEvent } from './events.js';

export interface ImpactRow {
  seq: number;
  runId: string | null;
  automation: string | null;
  system: string;
  ref: string | null;
  action: string | null;
}

/** The downstream records an event names, for `trace`: an action's (started or taken) and a tag's. */
export function impactRows(e: LoggedEvent): ImpactRow[] {
  const row = (i: { system: string; ref?: string | null; action?: string | null }): ImpactRow => ({
    seq: e.seq,
    runId: e.runId,
    automation: e.automation,
    system: i.system,
    ref: i.ref ?? null,
    action: i.action ?? null,
  });
  if (e.type === 'impact_tagged') return [row(e.data)];
  if (e.type === 'action_started' || e.type === 'action_taken') return e.data.impacts.map(row);
  return [];
}

export type RunStatus = 'running' | 'finished' | 'failed' | 'abandoned';
/** Where a run's action stands: in doubt between action_started and its outcome. */
export type ActionState = 'in_doubt' | 'taken' | 'failed' | 'reverted';

/** One run as its events leave it. */
export interface RunRecord {
  runId: string;
  automation: string | null;
  /** The seq and time of the run's first event (its run_started). */
  firstSeq: number;
  startedAt: string;
  tier: number | null;
  promptVersion: number | null;
  model: string | null;
  status: RunStatus | null;
  finishedAt: string | null;
  disposition: Disposition | null;
  confidence: number | null;
  costUsd: number | null;
  durationMs: number | null;
  /** The first review decision (decisions are final); audit reviews do not count. */
  decision: string | null;
  awaiting: 'review' | 'approval' | null;
  /** 'pending' once sampled for the audit queue, 'done' once an audit review is logged. */
  audit: 'pending' | 'done' | null;
  action: ActionState | null;
  /** The seq of the run's newest event. */
  lastSeq: number;
  // What the statistics count, so that they can be aggregated in SQL (format 3):
  /** The seq of its run_started. */
  startSeq: number | null;
  /** The seq and kind of its first end (run_finished, run_failed or run_abandoned): the one that counts. */
  endSeq: number | null;
  ended: RunStatus | null;
  tokensIn: number | null;
  tokensOut: number | null;
  /** The latency sketch's bucket of run_finished's durationMs (null for none or zero). */
  latencyBucket: number | null;
  /** The seq of its first model_mismatch. */
  mismatchSeq: number | null;
  /** The seq and time of its first review decision (the one `decision` holds). */
  decisionSeq: number | null;
  decisionAt: string | null;
  /** The seq and grade of its first audit review. */
  auditSeq: number | null;
  auditGrade: string | null;
  /** The seq and time of its first revert that succeeded. */
  revertSeq: number | null;
  revertAt: string | null;
  /** The reversibleUntil of its first action_taken that names one. */
  reversibleUntil: string | null;
}

type Value = string | number | null;
export type RunColumn = Exclude<keyof RunRecord, 'runId'>;

/** The columns of the runs table after run_id, in table order, with their SQL names. */
export const RUN_COLUMNS: readonly (readonly [RunColumn, string])[] = [
  ['automation', 'automation'],
  ['firstSeq', 'first_seq'],
  ['startedAt', 'started_at'],
  ['tier', 'tier'],
  ['promptVersion', 'prompt_version'],
  ['model', 'model'],
  ['status', 'status'],
  ['finishedAt', 'finished_at'],
  ['disposition', 'disposition'],
  ['confidence', 'confidence'],
  ['costUsd', 'cost_usd'],
  ['durationMs', 'duration_ms'],
  ['decision', 'decision'],
  ['awaiting', 'awaiting'],
  ['audit', 'audit'],
  ['action', 'action'],
  ['lastSeq', 'last_seq'],
  ['startSeq', 'start_seq'],
  ['endSeq', 'end_seq'],
  ['ended', 'ended'],
  ['tokensIn', 'tokens_in'],
  ['tokensOut', 'tokens_out'],
  ['latencyBucket', 'latency_bucket'],
  ['mismatchSeq', 'mismatch_seq'],
  ['decisionSeq', 'decision_seq'],
  ['decisionAt', 'decision_at'],
  ['auditSeq', 'audit_seq'],
  ['auditGrade', 'audit_grade'],
  ['revertSeq', 'revert_seq'],
  ['revertAt', 'revert_at'],
  ['reversibleUntil', 'reversible_until'],
];

/** Each column's name in SQL. */
export const RUN_SQL_NAME: ReadonlyMap<RunColumn, string> = new Map(RUN_COLUMNS);

/** The columns whose value is the seq of the event that writes them: a writer that assigns seqs puts it in. */
export const SEQ_COLUMNS: ReadonlySet<RunColumn> = new Set(['firstSeq', 'lastSeq', 'startSeq', 'endSeq', 'mismatchSeq', 'decisionSeq', 'auditSeq', 'revertSeq']);

/** The columns format 3 added, rebuilt from the chain when a format-2 log is migrated. */
export const FORMAT_3_COLUMNS: readonly RunColumn[] = ['startSeq', 'endSeq', 'ended', 'tokensIn', 'tokensOut', 'latencyBucket', 'mismatchSeq', 'decisionSeq', 'decisionAt', 'auditSeq', 'auditGrade', 'revertSeq', 'revertAt', 'reversibleUntil'];

/** How a patch changes a column: `set` replaces it, `first` fills it only while it is null. */
export const SET = 1;
export const FIRST = 2;
export type PatchOp = [mode: typeof SET | typeof FIRST, value: Value];

export interface RunPatch {
  runId: string;
  ops: Partial<Record<RunColumn, PatchOp>>;
}

const awaitingOf = (d: Disposition): RunRecord['awaiting'] => (d === 'review' ? 'review' : d === 'approval_required' ? 'approval' : null);

/** Where the rules below write: a patch, SQL parameters, or a row folded in memory. */
export interface RunSink {
  set(column: RunColumn, value: Value): void;
  first(column: RunColumn, value: Value): void;
}

/** What any event of a run changes, whatever its payload. */
function envelopeRules(e: Pick<LoggedEvent, 'seq' | 'at' | 'automation'>, to: RunSink): void {
  to.first('automation', e.automation);
  to.first('firstSeq', e.seq);
  to.first('startedAt', e.at);
  to.set('lastSeq', e.seq);
}

/** The rules: how each event changes its run's row. */
function eventRules(e: LoggedEvent, to: RunSink): void {
  envelopeRules(e, to);
  switch (e.type) {
    case 'run_started':
      to.first('tier', e.data.tier);
      to.first('promptVersion', e.data.prompt.version);
      to.first('model', e.data.model.resolved);
      to.first('status', 'running');
      to.first('startSeq', e.seq);
      break;
    case 'run_finished':
      to.first('endSeq', e.seq);
      to.first('ended', 'finished');
      to.set('tokensIn', e.data.tokens?.input ?? null);
      to.set('tokensOut', e.data.tokens?.output ?? null);
      to.set('latencyBucket', e.data.durationMs === undefined ? null : sketchBucket(e.data.durationMs));
      to.set('status', 'finished');
      to.set('finishedAt', e.at);
      to.set('disposition', e.data.disposition);
      to.set('confidence', e.data.confidence);
      to.set('costUsd', e.data.costUsd ?? null);
      to.set('durationMs', e.data.durationMs ?? null);
      to.set('awaiting', awaitingOf(e.data.disposition));
      if (e.data.audit === true) to.first('audit', 'pending');
      break;
    case 'run_failed':
      to.first('endSeq', e.seq);
      to.first('ended', 'failed');
      to.set('status', 'failed');
      to.set('finishedAt', e.at);
      to.set('durationMs', e.data.durationMs ?? null);
      break;
    case 'run_abandoned':
      to.first('endSeq', e.seq);
      to.first('ended', 'abandoned');
      to.set('status', 'abandoned');
      to.set('finishedAt', e.at);
      break;
    case 'review_resolved':
      if (e.data.audit === true) {
        to.set('audit', 'done');
        to.first('auditSeq', e.seq);
        to.first('auditGrade', e.data.decision);
      } else {
        to.first('decision', e.data.decision);
        to.first('decisionSeq', e.seq);
        to.first('decisionAt', e.at);
        to.set('awaiting', null);
      }
      break;
    case 'model_mismatch':
      to.first('mismatchSeq', e.seq);
      break;
    case 'action_started':
      to.set('action', 'in_doubt');
      break;
    case 'action_taken':
      to.set('action', 'taken');
      to.first('reversibleUntil', e.data.reversibleUntil ?? null);
      break;
    case 'action_failed':
      to.set('action', 'failed');
      break;
    case 'action_reverted':
      if (e.data.result.ok) {
        to.set('action', 'reverted');
        to.first('revertSeq', e.seq);
        to.first('revertAt', e.at);
      }
      break;
    default:
      break;
  }
}

class PatchSink implements RunSink {
  readonly ops: RunPatch['ops'] = {};
  set(column: RunColumn, value: Value): void {
    this.ops[column] = [SET, value];
  }
  first(column: RunColumn, value: Value): void {
    this.ops[column] = [FIRST, value];
  }
}

/** Applies the rules to a row in place, allocating nothing: verify folds every event of the log. */
class RowSink implements RunSink {
  row: Record<string, Value> = {};
  set(column: RunColumn, value: Value): void {
    this.row[column] = value;
  }
  first(column: RunColumn, value: Value): void {
    if (this.row[column] === null) this.row[column] = value;
  }
}
const rowSink = new RowSink();

/**
 * What any event of a run changes, whatever its payload: also what an event
 * whose payload breaks its schema changes (verify reports that event itself).
 */
export function envelopePatch(e: Pick<LoggedEvent, 'seq' | 'at' | 'automation' | 'runId'>): RunPatch | null {
  if (e.runId === null) return null;
  const sink = new PatchSink();
  envelopeRules(e, sink);
  return { runId: e.runId, ops: sink.ops };
}

/** Runs the rules of one event into `to` (the event has a run). */
export function runRules(e: LoggedEvent, to: RunSink): void {
  eventRules(e, to);
}

/** The same for an event whose payload broke its schema: only the envelope's rules. */
export function envelopeRunRules(e: Pick<LoggedEvent, 'seq' | 'at' | 'automation'>, to: RunSink): void {
  envelopeRules(e, to);
}

/** How an event changes its run's row; null for an event of no run. */
export function runPatch(e: LoggedEvent): RunPatch | null {
  if (e.runId === null) return null;
  const sink = new PatchSink();
  eventRules(e, sink);
  return { runId: e.runId, ops: sink.ops };
}

/** Folds one event into its run's row, in place: the same as applying its runPatch. `typed` false: its payload broke its schema, so only the envelope counts. */
export function foldRun(row: RunRecord, e: LoggedEvent | Pick<LoggedEvent, 'seq' | 'at' | 'automation'>, typed: boolean): void {
  rowSink.row = row as unknown as Record<string, Value>;
  if (typed) eventRules(e as LoggedEvent, rowSink);
  else envelopeRules(e, rowSink);
}

/** A run's row after one more patch; `row` is null for a run not seen yet. The row given is left as it is. */
export function applyRunPatch(row: RunRecord | null, patch: RunPatch): RunRecord {
  return applyRunPatchInPlace(row ? { ...row } : emptyRun(patch.runId), patch);
}

/** The same, changing `row` itself: for a caller that owns its rows (verify folds a million events). */
export function applyRunPatchInPlace(row: RunRecord, patch: RunPatch): RunRecord {
  const r = row as unknown as Record<string, Value>;
  const ops = patch.ops as Record<string, PatchOp>;
  for (const column in ops) {
    const op = ops[column];
    if (op[0] === SET || r[column] === null) r[column] = op[1];
  }
  return row;
}

/** A row with every column null, spelled out so every row has one shape. */
export function emptyRun(runId: string): RunRecord {
  return {
    runId,
    automation: null,
    firstSeq: null as unknown as number,
    startedAt: null as unknown as string,
    tier: null,
    promptVersion: null,
    model: null,
    status: null,
    finishedAt: null,
    disposition: null,
    confidence: null,
    costUsd: null,
    durationMs: null,
    decision: null,
    awaiting: null,
    audit: null,
    action: null,
    lastSeq: null as unknown as number,
    startSeq: null,
    endSeq: null,
    ended: null,
    tokensIn: null,
    tokensOut: null,
    latencyBucket: null,
    mismatchSeq: null,
    decisionSeq: null,
    decisionAt: null,
    auditSeq: null,
    auditGrade: null,
    revertSeq: null,
    revertAt: null,
    reversibleUntil: null,
  };
}

/**
 * Whether two runs rows are the same in every column, as one expression over
 * the columns by name (compiled from RUN_COLUMNS, which are identifiers): verify
 * compares every runs row, and reading 31 columns by a key that changes each
 * time costs several times more.
 */
const sameRun = new Function('e', 'a', `return ${RUN_COLUMNS.map(([c]) => `e.${c} === a.${c}`).join(' && ')};`) as (e: RunRecord, a: RunRecord) => boolean;

/** Two runs rows as text, column by column, for a verify message: the first column that differs. */
export function runDifference(expected: RunRecord, actual: RunRecord): string | null {
  if (sameRun(expected, actual)) return null;
  for (const [column, sql] of RUN_COLUMNS) {
    if (expected[column] !== actual[column]) return `${sql} is ${spell(actual[column])}, the chain says ${spell(expected[column])}`;
  }
  return null;
}

/** A stored value as text; bytes (a BLOB, however they reached here) as SQL spells them. */
function spell(value: unknown): string {
  return value instanceof Uint8Array ? `x'${Array.from(value, (b) => b.toString(16).padStart(2, '0')).join('')}'` : JSON.stringify(value);
}
