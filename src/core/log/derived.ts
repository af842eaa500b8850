// The rows the store derives from events, for indexed queries: one impacts row
// per downstream record an event names, and one runs row per run. Each store
// writes them in the transaction of their events, and `log verify` rebuilds
// them from the chain with these same functions and compares. Pure.
//
// A runs row changes by patches, one per event of the run, each column either
// set or filled only while still empty (the first value stands). Both stores
// apply a patch with one generic SQL upsert and verify applies it in memory,
// so the rules below are the only place what a runs row holds is decided.
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
];

/** How a patch changes a column: `set` replaces it, `first` fills it only while it is null. */
export const SET = 1;
export const FIRST = 2;
export type PatchOp = [mode: typeof SET | typeof FIRST, value: Value];

export interface RunPatch {
  runId: string;
  ops: Partial<Record<RunColumn, PatchOp>>;
}

const awaitingOf = (d: Disposition): RunRecord['awaiting'] => (d === 'review' ? 'review' : d === 'approval_required' ? 'approval' : null);

/**
 * What any event of a run changes, whatever its payload: also what an event
 * whose payload breaks its schema changes (verify reports that event itself).
 */
export function envelopePatch(e: Pick<LoggedEvent, 'seq' | 'at' | 'automation' | 'runId'>): RunPatch | null {
  if (e.runId === null) return null;
  return { runId: e.runId, ops: { automation: [FIRST, e.automation], firstSeq: [FIRST, e.seq], startedAt: [FIRST, e.at], lastSeq: [SET, e.seq] } };
}

/** How an event changes its run's row; null for an event of no run. */
export function runPatch(e: LoggedEvent): RunPatch | null {
  const patch = envelopePatch(e);
  if (patch === null) return null;
  const { ops } = patch;
  switch (e.type) {
    case 'run_started':
      ops.tier = [FIRST, e.data.tier];
      ops.promptVersion = [FIRST, e.data.prompt.version];
      ops.model = [FIRST, e.data.model.resolved];
      ops.status = [FIRST, 'running'];
      break;
    case 'run_finished':
      ops.status = [SET, 'finished'];
      ops.finishedAt = [SET, e.at];
      ops.disposition = [SET, e.data.disposition];
      ops.confidence = [SET, e.data.confidence];
      ops.costUsd = [SET, e.data.costUsd ?? null];
      ops.durationMs = [SET, e.data.durationMs ?? null];
      ops.awaiting = [SET, awaitingOf(e.data.disposition)];
      if (e.data.audit === true) ops.audit = [FIRST, 'pending'];
      break;
    case 'run_failed':
      ops.status = [SET, 'failed'];
      ops.finishedAt = [SET, e.at];
      ops.durationMs = [SET, e.data.durationMs ?? null];
      break;
    case 'run_abandoned':
      ops.status = [SET, 'abandoned'];
      ops.finishedAt = [SET, e.at];
      break;
    case 'review_resolved':
      if (e.data.audit === true) {
        ops.audit = [SET, 'done'];
      } else {
        ops.decision = [FIRST, e.data.decision];
        ops.awaiting = [SET, null];
      }
      break;
    case 'action_started':
      ops.action = [SET, 'in_doubt'];
      break;
    case 'action_taken':
      ops.action = [SET, 'taken'];
      break;
    case 'action_failed':
      ops.action = [SET, 'failed'];
      break;
    case 'action_reverted':
      if (e.data.result.ok) ops.action = [SET, 'reverted'];
      break;
    default:
      break;
  }
  return patch;
}

/** A run's row after one more patch; `row` is null for a run not seen yet. */
export function applyRunPatch(row: RunRecord | null, patch: RunPatch): RunRecord {
  const next = (row ? { ...row } : emptyRun(patch.runId)) as unknown as Record<string, Value>;
  for (const [column] of RUN_COLUMNS) {
    const op = patch.ops[column];
    if (!op) continue;
    if (op[0] === SET || next[column] === null) next[column] = op[1];
  }
  return next as unknown as RunRecord;
}

function emptyRun(runId: string): Record<string, Value> {
  const row: Record<string, Value> = { runId };
  for (const [column] of RUN_COLUMNS) row[column] = null;
  return row;
}

/** Two runs rows as text, column by column, for a verify message: the first column that differs. */
export function runDifference(expected: RunRecord, actual: RunRecord): string | null {
  for (const [column, sql] of RUN_COLUMNS) {
    if (expected[column] !== actual[column]) return `${sql} is ${JSON.stringify(actual[column])}, the chain says ${JSON.stringify(expected[column])}`;
  }
  return null;
}
