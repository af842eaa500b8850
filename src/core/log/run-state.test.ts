import { describe, expect, it } from 'vitest';
import type { EventType, LoggedEvent } from './events.js';
import { impactsOf, runState } from './run-state.js';

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
