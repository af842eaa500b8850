// Reading the run log back: runs, one run's events, and traces from a downstream
// system. Lists come from the runs and impacts tables (indexed, one row a run
// or a touch), never from a scan of the events; one run comes from its events.
import { UsageError } from '../errors.js';
import type { ActionState, RunRecord, RunStatus } from '../core/log/derived.js';
import type { Disposition, LoggedEvent } from '../core/log/events.js';
import { impactsOf, runState, type RunState } from '../core/log/run-state.js';
import type { ImpactTouch, RunQuery, Store } from '../store/types.js';

export interface RunRow {
  runId: string;
  automation: string | null;
  startedAt: string;
  status: RunStatus;
  disposition: Disposition | null;
  decision: string | null;
  /** Where the run's action stands; 'in_doubt' when it started and never ended (it may have happened). */
  actionState: ActionState | null;
  promptVersion: number | null;
  model: string | null;
  confidence: number | null;
  costUsd: number | null;
  durationMs: number | null;
  impacts: string[];
}

export async function loadRun(store: Store, runId: string): Promise<{ events: LoggedEvent[]; state: RunState }> {
  const events = await store.query({ runId, order: 'asc' });
  if (!events.length) throw new UsageError(`no run ${runId} in the run log`, { hint: 'list runs with `aigov runs`' });
  return { events, state: runState(runId, events) };
}

const touched = (i: { system: string; ref?: string | null }) => `${i.system}${i.ref ? `:${i.ref}` : ''}`;

/** One run's row from its folded events (when they are loaded anyway). */
export function runRow(s: RunState): RunRow {
  return {
    runId: s.runId,
    automation: s.automation,
    startedAt: s.started?.at ?? '',
    status: s.abandoned ? 'abandoned' : s.failed ? 'failed' : s.finished ? 'finished' : 'running',
    disposition: s.disposition ?? null,
    decision: s.review?.data.decision ?? null,
    // Reverted first: an action in doubt reverted with --force is reverted, as the runs table says.
    actionState: s.reverted.some((r) => r.data.result.ok) ? 'reverted' : s.inDoubt ? 'in_doubt' : s.actions.length ? 'taken' : s.actionFailures.length ? 'failed' : null,
    promptVersion: s.started?.data.prompt.version ?? null,
    model: s.started?.data.model.resolved ?? null,
    confidence: s.finished?.data.confidence ?? null,
    costUsd: s.finished?.data.costUsd ?? null,
    durationMs: s.finished?.data.durationMs ?? s.failed?.data.durationMs ?? null,
    impacts: [...new Set(impactsOf(s).map(touched))],
  };
}

/** A runs-table row as a RunRow, with the records its run touched. */
function recordRow(r: RunRecord, impacts: readonly ImpactTouch[]): RunRow {
  return {
    runId: r.runId,
    automation: r.automation,
    startedAt: r.startedAt,
    status: r.status ?? 'running',
    disposition: r.disposition,
    decision: r.decision,
    actionState: r.action,
    promptVersion: r.promptVersion,
    model: r.model,
    confidence: r.confidence,
    costUsd: r.costUsd,
    durationMs: r.durationMs,
    // An action logs its impacts when it starts and again when it ends: once each here.
    impacts: [...new Set(impacts.map(touched))],
  };
}

/** RunRows for a page of runs rows: one indexed query for all their impacts. */
export async function rowsOfRecords(store: Store, page: readonly RunRecord[]): Promise<RunRow[]> {
  const touches = await store.queryImpacts({ runIds: page.map((r) => r.runId), order: 'asc' });
  const byRun = new Map<string, ImpactTouch[]>();
  for (const t of touches) if (t.runId) byRun.set(t.runId, [...(byRun.get(t.runId) ?? []), t]);
  return page.map((r) => recordRow(r, byRun.get(r.runId) ?? []));
}

export interface RunFilter {
  automation?: string;
  since?: string;
  disposition?: Disposition;
  /** Runs started before this time (ISO 8601) that are still running: started and never finished. */
  staleBefore?: string;
  limit?: number;
}

function runQuery(f: RunFilter): RunQuery {
  return { automation: f.automation, since: f.since, disposition: f.disposition, staleBefore: f.staleBefore, limit: f.limit, order: 'desc' };
}

/** Newest first (in log order), a page at a time: constant memory however many runs match. `since` is when a run started. */
export async function* runPages(store: Store, f: RunFilter): AsyncIterable<RunRow[]> {
  for await (const page of store.queryRuns(runQuery(f))) yield rowsOfRecords(store, page);
}

/** Newest first. With a disposition filter only finished runs can match; `since` is always when a run started. */
export async function listRuns(store: Store, f: RunFilter): Promise<RunRow[]> {
  const rows: RunRow[] = [];
  for await (const page of runPages(store, f)) rows.push(...page);
  return rows;
}

export interface TraceRow extends RunRow {
  system: string;
  ref: string | null;
  action: string | null;
  at: string;
  /** Logged when an action started that has not ended: it may have touched the record. */
  inDoubt: boolean;
}

/**
 * Every run that touched a downstream system (or one record in it), newest
 * first, from the impacts index. A touch logged when the action started and
 * again when it ended shows once; one whose action never ended shows with its
 * run's action 'in_doubt'.
 */
export async function trace(store: Store, q: { system: string; ref?: string; limit?: number }): Promise<TraceRow[]> {
  let kept: ImpactTouch[] = [];
  // With a limit, read a little more than asked (a touch may show twice), and more again if that was not enough.
  for (let ask = q.limit === undefined ? undefined : q.limit * 2 + 10; ; ask = ask! * 4) {
    const touches = await store.queryImpacts({ system: q.system, ref: q.ref, order: 'desc', limit: ask });
    kept = distinctTouches(touches, q.limit);
    if (ask === undefined || touches.length < ask || kept.length >= q.limit!) break;
  }
  const runIds = [...new Set(kept.map((t) => t.runId!))];
  const runs = new Map<string, RunRow>();
  for (let i = 0; i < runIds.length; i += 500) {
    for await (const page of store.queryRuns({ runIds: runIds.slice(i, i + 500) })) for (const row of await rowsOfRecords(store, page)) runs.set(row.runId, row);
  }
  return kept.flatMap((t) => {
    const run = runs.get(t.runId!);
    if (!run) return [];
    const act = t.type === 'action_started' || t.type === 'action_taken';
    return [{ ...run, system: t.system, ref: t.ref, action: t.action ?? (act ? 'act' : null), at: t.at, inDoubt: t.type === 'action_started' && run.actionState === 'in_doubt' }];
  });
}

function distinctTouches(touches: readonly ImpactTouch[], limit: number | undefined): ImpactTouch[] {
  const seen = new Set<string>();
  const kept: ImpactTouch[] = [];
  for (const t of touches) {
    if (!t.runId) continue;
    if (t.type === 'action_started' || t.type === 'action_taken') {
      const key = JSON.stringify([t.runId, t.system, t.ref, t.action]);
      if (seen.has(key)) continue;
      seen.add(key);
    }
    kept.push(t);
    if (limit !== undefined && kept.length >= limit) break;
  }
  return kept;
}
