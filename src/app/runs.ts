// Reading the run log back: runs, one run's events, and traces from a downstream system.
import { UsageError } from '../errors.js';
import type { Disposition, LoggedEvent } from '../core/log/events.js';
import { actionStateOf, impactsOf, runState, type ActionState, type RunState } from '../core/log/run-state.js';
import type { Store } from '../store/types.js';

export interface RunRow {
  runId: string;
  automation: string | null;
  startedAt: string;
  /** `running`: started, with no end yet (see `--stale`); `abandoned`: closed by a person. */
  status: 'running' | 'finished' | 'failed' | 'abandoned';
  disposition: Disposition | null;
  decision: string | null;
  promptVersion: number | null;
  model: string | null;
  confidence: number | null;
  costUsd: number | null;
  durationMs: number | null;
  impacts: string[];
  /** Where its action stands; `in_doubt`: started and never recorded its end, so it may have happened. */
  actionState: ActionState | null;
}

export async function loadRun(store: Store, runId: string): Promise<{ events: LoggedEvent[]; state: RunState }> {
  const events = await store.query({ runId, order: 'asc' });
  if (!events.length) throw new UsageError(`no run ${runId} in the run log`, { hint: 'list runs with `aigov runs`' });
  return { events, state: runState(runId, events) };
}

export function runRow(s: RunState): RunRow {
  const started = s.started?.data as { prompt?: { version?: number }; model?: { resolved?: string } } | undefined;
  const finished = s.finished?.data as { confidence?: number | null; costUsd?: number | null; durationMs?: number } | undefined;
  return {
    runId: s.runId,
    automation: s.automation,
    startedAt: s.started?.at ?? '',
    status: s.failed ? 'failed' : s.finished ? 'finished' : s.abandoned ? 'abandoned' : 'running',
    disposition: s.disposition ?? null,
    decision: (s.review?.data.decision as string | undefined) ?? null,
    promptVersion: started?.prompt?.version ?? null,
    model: started?.model?.resolved ?? null,
    confidence: finished?.confidence ?? null,
    costUsd: finished?.costUsd ?? null,
    durationMs: finished?.durationMs ?? (s.failed?.data.durationMs as number | undefined) ?? null,
    impacts: impactsOf(s).map((i) => `${i.system}${i.ref ? `:${i.ref}` : ''}`),
    actionState: actionStateOf(s),
  };
}

export interface RunFilter {
  automation?: string;
  since?: string;
  disposition?: Disposition;
  /** Only runs that started before this time (ISO 8601) and have no end: `--stale`. */
  staleBefore?: string;
  limit?: number;
}

/** Newest first. With a disposition filter only finished runs can match; `since` is always when a run started. */
export async function listRuns(store: Store, f: RunFilter): Promise<RunRow[]> {
  const anchor = f.disposition ? 'run_finished' : 'run_started';
  const since = f.since === undefined ? undefined : Date.parse(f.since);
  const rows: RunRow[] = [];
  // Paged by seq, the log's one total order: times tie within a millisecond and
  // can run backwards across hosts, so a time bound would skip or repeat runs.
  // The store cannot bound a query by seq, so each page asks again for twice as
  // many of the newest anchors and reads on below the oldest seq already seen.
  let size = f.limit === undefined ? undefined : Math.max(50, f.limit);
  let oldestSeen = Number.POSITIVE_INFINITY;
  for (;;) {
    const batch = await store.query({ types: [anchor], automation: f.automation, since: f.since, until: f.staleBefore, order: 'desc', limit: size });
    for (const e of batch) {
      if (e.seq >= oldestSeen) continue;
      oldestSeen = e.seq;
      if (f.disposition && e.data.disposition !== f.disposition) continue;
      const { state } = await loadRun(store, e.runId!);
      if (since !== undefined && !(Date.parse(state.started?.at ?? '') >= since)) continue;
      const row = runRow(state);
      if (f.staleBefore !== undefined && row.status !== 'running') continue;
      rows.push(row);
      if (f.limit && rows.length >= f.limit) return rows;
    }
    if (size === undefined || batch.length < size) return rows;
    size *= 2;
  }
}

export interface TraceRow extends RunRow {
  system: string;
  ref: string | null;
  action: string | null;
  at: string;
  /** From an action that started and never recorded its end: it may have touched the record. */
  inDoubt: boolean;
}

/** Every run that touched a downstream system (or one record in it), newest first. */
export async function trace(store: Store, q: { system: string; ref?: string; limit?: number }): Promise<TraceRow[]> {
  const states = new Map<string, RunState>();
  // An action that ended is indexed twice (started, taken) and shows once, so
  // `limit` touches may need more index rows: read twice as many, and more if short.
  let size = q.limit === undefined ? undefined : q.limit * 2;
  for (;;) {
    const touches = await store.query({ system: q.system, ref: q.ref, order: 'desc', limit: size });
    const rows: TraceRow[] = [];
    let counted = 0;
    for (const e of touches) {
      if (!e.runId || (q.limit !== undefined && counted >= q.limit)) continue;
      let state = states.get(e.runId);
      if (!state) {
        state = (await loadRun(store, e.runId)).state;
        states.set(e.runId, state);
      }
      // A started action shows only while in doubt; once it ended, its action_taken stands for it.
      if (e.type === 'action_started' && state.inDoubt?.seq !== e.seq) continue;
      counted += 1;
      const acted = e.type === 'action_taken' || e.type === 'action_started';
      const impacts = acted ? ((e.data.impacts as { system: string; ref?: string; action?: string }[]) ?? []) : [e.data as { system: string; ref?: string; action?: string }];
      for (const i of impacts) {
        if (i.system !== q.system || (q.ref && i.ref !== q.ref)) continue;
        rows.push({ ...runRow(state), system: i.system, ref: i.ref ?? null, action: i.action ?? (acted ? 'act' : null), at: e.at, inDoubt: e.type === 'action_started' });
      }
    }
    if (size === undefined || q.limit === undefined || counted >= q.limit || touches.length < size) return rows;
    size *= 2;
  }
}
