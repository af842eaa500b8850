import { describe, expect, it } from 'vitest';
import { FIRST, RUN_COLUMNS, SET, applyRunPatch, emptyRun, envelopePatch, foldRun, impactRows, runDifference, runPatch, type RunRecord } from './derived.js';
import type { EventType, LoggedEvent } from './events.js';

let seq = 0;
function ev(type: EventType, data: Record<string, unknown> = {}, runId: string | null = 'r1'): LoggedEvent {
  seq += 1;
  return { v: 2, seq, id: `e${seq}`, type, at: `2026-01-01T00:00:${String(seq).padStart(2, '0')}.000Z`, automation: 'inv', runId, actor: null, data, prevHash: '', hash: '' } as LoggedEvent;
}

const started = () => ev('run_started', { tier: 2, prompt: { id: 'p', version: 3, sha256: 'x' }, model: { requested: 'fast', resolved: 'openai:m' } });
const finished = (disposition: string, extra: Record<string, unknown> = {}) => ev('run_finished', { output: 'x', confidence: 0.4, disposition, costUsd: 0.01, durationMs: 12, ...extra });

function fold(events: LoggedEvent[]): RunRecord | null {
  let row: RunRecord | null = null;
  for (const e of events) {
    const p = runPatch(e);
    if (p) row = applyRunPatch(row, p);
  }
  return row;
}

describe('impactRows', () => {
  it.each<[string, () => LoggedEvent, { system: string; ref: string | null; action: string | null }[]]>([
    ['an action taken', () => ev('action_taken', { impacts: [{ system: 'erp', ref: 'INV-1', action: 'book' }, { system: 'mail' }] }), [
      { system: 'erp', ref: 'INV-1', action: 'book' },
      { system: 'mail', ref: null, action: null },
    ]],
    ['an action started (in doubt until it ends)', () => ev('action_started', { impacts: [{ system: 'erp', ref: 'INV-1' }] }), [{ system: 'erp', ref: 'INV-1', action: null }]],
    ['a tag', () => ev('impact_tagged', { system: 'crm', ref: 'C-9', action: 'note' }), [{ system: 'crm', ref: 'C-9', action: 'note' }]],
    ['an action that failed', () => ev('action_failed', { error: { type: 'E', message: 'm' } }), []],
    ['another event type', () => ev('run_finished', { output: 'x', confidence: null, disposition: 'auto' }), []],
  ])('indexes %s', (_what, make, expected) => {
    const e = make();
    expect(impactRows(e)).toEqual(expected.map((i) => ({ seq: e.seq, runId: 'r1', automation: 'inv', ...i })));
  });
});

describe('runs rows', () => {
  it.each<[string, () => LoggedEvent[], Partial<RunRecord>]>([
    ['a run that started', () => [started()], { status: 'running', tier: 2, promptVersion: 3, model: 'openai:m', disposition: null, awaiting: null }],
    ['a run waiting for review', () => [started(), finished('review')], { status: 'finished', disposition: 'review', confidence: 0.4, costUsd: 0.01, durationMs: 12, awaiting: 'review' }],
    ['a tier-1 run waiting for approval', () => [started(), finished('approval_required')], { awaiting: 'approval' }],
    ['a reviewed run: the first decision stands', () => [started(), finished('review'), ev('review_resolved', { decision: 'reject', reviewer: 'ann' }), ev('review_resolved', { decision: 'approve', reviewer: 'bob' })], { decision: 'reject', awaiting: null }],
    ['an auto run sampled for audit', () => [started(), finished('auto', { audit: true })], { audit: 'pending', awaiting: null }],
    ['an audited run', () => [started(), finished('auto', { audit: true }), ev('review_resolved', { decision: 'approve', reviewer: 'ann', audit: true })], { audit: 'done', decision: null }],
    ['an action in doubt', () => [started(), finished('auto'), ev('action_started', { impacts: [] })], { action: 'in_doubt' }],
    ['an action taken', () => [started(), finished('auto'), ev('action_started', { impacts: [] }), ev('action_taken', { impacts: [] })], { action: 'taken' }],
    ['an action that threw', () => [started(), finished('auto'), ev('action_started', { impacts: [] }), ev('action_failed', { error: { type: 'E', message: 'm' } })], { action: 'failed' }],
    ['a reverted action', () => [started(), finished('auto'), ev('action_taken', { impacts: [] }), ev('action_reverted', { by: 'a', reason: 'r', result: { ok: true } })], { action: 'reverted' }],
    ['a reversal that failed', () => [started(), finished('auto'), ev('action_taken', { impacts: [] }), ev('action_reverted', { by: 'a', reason: 'r', result: { ok: false } })], { action: 'taken' }],
    ['a failed run', () => [started(), ev('run_failed', { error: { type: 'server', message: 'boom' }, durationMs: 5 })], { status: 'failed', durationMs: 5 }],
    ['an abandoned run', () => [started(), ev('run_abandoned', { reason: 'crashed', by: 'ann' })], { status: 'abandoned' }],
  ])('%s', (_what, make, want) => {
    const events = make();
    const row = fold(events)!;
    expect(row).toMatchObject({ runId: 'r1', automation: 'inv', firstSeq: events[0].seq, startedAt: events[0].at, lastSeq: events.at(-1)!.seq, ...want });
    if (events.at(-1)!.type !== 'run_started' && want.status === undefined) expect(row.status).toBe('finished');
    // Folding in place (as verify does) gives the same row as applying the patches (as the stores do).
    const folded = emptyRun('r1');
    for (const e of events) foldRun(folded, e, true);
    expect(folded).toEqual(row);
  });

  it('folds only the envelope of an event whose payload broke its schema', () => {
    const e = ev('run_finished', { confidence: 'high' });
    const row = emptyRun('r1');
    foldRun(row, e, false);
    expect(row).toEqual(applyRunPatch(null, envelopePatch(e)!));
    expect(row).toMatchObject({ status: null, disposition: null, lastSeq: e.seq });
  });

  it('has no row for an event of no run', () => {
    expect(runPatch(ev('eval_completed', { suite: 's' }, null))).toBeNull();
    expect(envelopePatch({ seq: 1, at: 'x', automation: null, runId: null })).toBeNull();
  });

  it('sets a column, or fills it only while empty', () => {
    const row = applyRunPatch(null, { runId: 'r', ops: { model: [FIRST, 'a'], status: [SET, 'running'], firstSeq: [FIRST, 1], startedAt: [FIRST, 't'], lastSeq: [SET, 1] } });
    const next = applyRunPatch(row, { runId: 'r', ops: { model: [FIRST, 'b'], status: [SET, 'failed'], confidence: [FIRST, 0.5], lastSeq: [SET, 2] } });
    expect(next).toMatchObject({ model: 'a', status: 'failed', confidence: 0.5, firstSeq: 1, lastSeq: 2 });
    expect(row.status).toBe('running');
    expect(Object.keys(next)).toEqual(['runId', ...RUN_COLUMNS.map(([c]) => c)]);
  });

  it('names the first column that differs', () => {
    const row = fold([started()])!;
    expect(runDifference(row, row)).toBeNull();
    expect(runDifference(row, { ...row, decision: 'approve' })).toBe('decision is "approve", the chain says null');
  });

  it('finds a difference in every column, of value and of type', () => {
    const row = fold([started()])!;
    for (const [column, sql] of RUN_COLUMNS) {
      const value = (row as unknown as Record<string, unknown>)[column];
      for (const other of [value === null ? 'x' : null, typeof value === 'number' ? String(value) : 7]) {
        expect(runDifference(row, { ...row, [column]: other }), `${column} as ${JSON.stringify(other)}`).toMatch(new RegExp(`^${sql} is `));
      }
    }
  });
});
