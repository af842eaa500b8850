import { describe, expect, it } from 'vitest';
import type { EventType, LoggedEvent } from './events.js';
import { impactsOf, newestSeq, runState } from './run-state.js';

let seq = 0;
// Payloads are not checked here: runState folds whatever it is given.
function ev(type: EventType, data: Record<string, unknown> = {}, runId = 'r1', automation = 'inv'): LoggedEvent {
  seq += 1;
  return { v: 2, seq, id: `e${seq}`, type, at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(), automation, runId, actor: 'test', data, prevHash: '', hash: '' } as LoggedEvent;
}

const started = (): LoggedEvent => ev('run_started', { tier: 2 });
const finished = (disposition: string, output: unknown = 'travel'): LoggedEvent => ev('run_finished', { disposition, output });
const review = (decision: string, extra: Record<string, unknown> = {}): LoggedEvent => ev('review_resolved', { decision, reviewer: 'ann', ...extra });

describe('runState', () => {
  it.each([
    ['started only', () => [started()], { awaiting: null, rejected: false, disposition: undefined, output: undefined }],
    ['auto', () => [started(), finished('auto')], { awaiting: null, rejected: false, disposition: 'auto', output: 'travel' }],
    ['low confidence waits for review', () => [started(), finished('review')], { awaiting: 'review', rejected: false, disposition: 'review', output: 'travel' }],
    ['tier 1 waits for approval', () => [started(), finished('approval_required')], { awaiting: 'approval', rejected: false, disposition: 'approval_required', output: 'travel' }],
    ['approved', () => [started(), finished('approval_required'), review('approve')], { awaiting: null, rejected: false, disposition: 'approval_required', output: 'travel' }],
    ['overridden: the corrected output is the one to act on', () => [started(), finished('review'), review('override', { output: 'software' })], { awaiting: null, rejected: false, disposition: 'review', output: 'software' }],
    ['rejected', () => [started(), finished('review'), review('reject', { reason: 'wrong' })], { awaiting: null, rejected: true, disposition: 'review', output: 'travel' }],
    ['failed', () => [started(), ev('run_failed', { error: { type: 'server', message: 'boom' } })], { awaiting: null, rejected: false, disposition: undefined, output: undefined }],
  ] as const)('%s', (_name, events, want) => {
    const s = runState('r1', events());
    expect({ awaiting: s.awaiting, rejected: s.rejected, disposition: s.disposition, output: s.output }).toEqual(want);
    expect(s.automation).toBe('inv');
    expect(s.started?.type).toBe('run_started');
  });

  it('keeps the first failure, every action, reversal and tag', () => {
    const f1 = ev('run_failed', { n: 1 });
    const s = runState('r1', [started(), f1, ev('run_failed', { n: 2 }), ev('action_taken', { impacts: [] }), ev('action_taken', { impacts: [] }), ev('action_reverted', {}), ev('impact_tagged', { system: 'erp' })]);
    expect(s.failed).toBe(f1);
    expect(s.actions).toHaveLength(2);
    expect(s.reverted).toHaveLength(1);
    expect(s.tags).toHaveLength(1);
  });

  it('ignores other runs’ events', () => {
    const s = runState('r1', [started(), ev('run_finished', { disposition: 'review', output: 'x' }, 'r2', 'other'), ev('review_resolved', { decision: 'reject' }, 'r2')]);
    expect(s.finished).toBeUndefined();
    expect(s.rejected).toBe(false);
    expect(s.automation).toBe('inv');
  });

  it('knows nothing of a run with no events', () => {
    const s = runState('nope', []);
    expect(s).toMatchObject({ runId: 'nope', automation: null, awaiting: null, rejected: false, actions: [], reverted: [], tags: [] });
    expect(s.started).toBeUndefined();
  });
});

describe('impactsOf', () => {
  it('lists the actions’ impacts, then the later tags', () => {
    const s = runState('r1', [
      started(),
      finished('auto'),
      ev('action_taken', { impacts: [{ system: 'erp', ref: 'INV-1' }, { system: 'crm', ref: 'C-9', action: 'update' }], notified: true }),
      ev('impact_tagged', { system: 'erp', ref: 'INV-2', action: 'refund' }),
    ]);
    expect(impactsOf(s)).toEqual([
      { system: 'erp', ref: 'INV-1' },
      { system: 'crm', ref: 'C-9', action: 'update' },
      { system: 'erp', ref: 'INV-2', action: 'refund' },
    ]);
  });

  it('is empty for a run that touched nothing', () => {
    expect(impactsOf(runState('r1', [started(), finished('auto')]))).toEqual([]);
  });
});

describe('actions as transactions', () => {
  const impacts = [{ system: 'erp', ref: 'INV-1', action: 'book' }];
  it.each([
    ['no action', () => [started(), finished('auto')], { inDoubt: false, revertInDoubt: false, impacts: [] }],
    ['started, never ended: in doubt, with its impacts', () => [started(), finished('auto'), ev('action_started', { impacts })], { inDoubt: true, revertInDoubt: false, impacts }],
    ['started and taken', () => [started(), finished('auto'), ev('action_started', { impacts }), ev('action_taken', { impacts })], { inDoubt: false, revertInDoubt: false, impacts }],
    ['started and failed: nothing was done', () => [started(), finished('auto'), ev('action_started', { impacts }), ev('action_failed', { error: { type: 'Error', message: 'erp down' } })], { inDoubt: false, revertInDoubt: false, impacts: [] }],
    ['failed, retried, in doubt', () => [started(), finished('auto'), ev('action_started', { impacts }), ev('action_failed', {}), ev('action_started', { impacts })], { inDoubt: true, revertInDoubt: false, impacts }],
    ['taken, revert started and never ended', () => [started(), finished('auto'), ev('action_started', { impacts }), ev('action_taken', { impacts }), ev('revert_started', {})], { inDoubt: false, revertInDoubt: true, impacts }],
    ['taken and reverted', () => [started(), finished('auto'), ev('action_started', { impacts }), ev('action_taken', { impacts }), ev('revert_started', {}), ev('action_reverted', {})], { inDoubt: false, revertInDoubt: false, impacts }],
  ] as const)('%s', (_n, events, want) => {
    const s = runState('r1', events());
    expect({ inDoubt: !!s.inDoubt, revertInDoubt: !!s.revertInDoubt, impacts: impactsOf(s) }).toEqual(want);
  });

  it('keeps notifications and the first abandonment', () => {
    const closed = ev('run_abandoned', { reason: 'worker died', by: 'ann' });
    const s = runState('r1', [started(), closed, ev('run_abandoned', { reason: 'again' }), ev('notification_sent', { ok: true, error: null })]);
    expect(s.abandoned).toBe(closed);
    expect(s.notifications).toHaveLength(1);
  });
});

describe('newestSeq', () => {
  it('is the seq of the run’s newest event of the given types, or null', () => {
    const events = [started(), finished('auto'), ev('review_resolved', {}), ev('review_resolved', {}, 'r2'), ev('action_started', {})];
    expect(newestSeq(events, 'r1', ['review_resolved'])).toBe(events[2].seq);
    expect(newestSeq(events, 'r1', ['review_resolved', 'action_started'])).toBe(events[4].seq);
    expect(newestSeq(events, 'r2', ['action_started'])).toBeNull();
    expect(newestSeq([], 'r1', ['run_started'])).toBeNull();
  });
});

