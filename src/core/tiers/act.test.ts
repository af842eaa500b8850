import { describe, expect, it } from 'vitest';
import type { LoggedEvent } from '../log/events.js';
import { runState } from '../log/run-state.js';
import { actRefusal, runTier, TIER_ACTS } from './act.js';

let seq = 0;
function ev(type: string, data: Record<string, unknown> = {}): LoggedEvent {
  seq++;
  return { v: 2, seq, id: `e${seq}`, type, at: `2026-11-01T00:00:${String(seq).padStart(2, '0')}.000Z`, automation: 'inv', runId: 'r1', actor: 'svc', prevHash: '', hash: '', data } as unknown as LoggedEvent;
}
const started = (tier: number) => ev('run_started', { tier });
const finished = (disposition: string) => ev('run_finished', { disposition, output: 'travel', confidence: 0.9 });
const review = (decision: string) => ev('review_resolved', { decision, reviewer: 'ann' });
const impacts = [{ system: 'erp', ref: 'INV-1' }];

describe('what act does at each tier', () => {
  it.each([
    [1, { reversible: false, notifies: false }],
    [2, { reversible: true, notifies: true }],
    [3, { reversible: false, notifies: false }],
  ] as const)('tier %s', (tier, acts) => expect(TIER_ACTS[tier]).toEqual(acts));

  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    // A run_started that lost its tier is treated as the most guarded tier.
    [undefined, 1],
    [7, 1],
  ])('a run started at tier %s acts as tier %s', (t, expected) => {
    expect(runTier(runState('r1', [ev('run_started', t === undefined ? {} : { tier: t })]))).toBe(expected);
  });
});

describe('what act refuses', () => {
  it.each<[string, () => LoggedEvent[], string | null]>([
    ['an unknown run', () => [], 'E_USAGE'],
    ['a run still running', () => [started(2)], 'E_RUN_NOT_FINISHED'],
    ['a failed run', () => [started(2), ev('run_failed', { error: { type: 'x', message: 'y' } })], 'E_RUN_NOT_FINISHED'],
    ['an abandoned run', () => [started(2), ev('run_abandoned', { reason: 'killed', by: 'ann' })], 'E_RUN_NOT_FINISHED'],
    ['tier 1, awaiting approval', () => [started(1), finished('approval_required')], 'E_APPROVAL_REQUIRED'],
    ['tier 1, approved', () => [started(1), finished('approval_required'), review('approve')], null],
    ['tier 1, overridden: acts on the correction', () => [started(1), finished('approval_required'), review('override')], null],
    ['tier 1, rejected', () => [started(1), finished('approval_required'), review('reject')], 'E_REJECTED'],
    ['tier 2, auto', () => [started(2), finished('auto')], null],
    ['tier 2, low confidence, awaiting review', () => [started(2), finished('review')], 'E_AWAITING_REVIEW'],
    ['tier 2, reviewed and approved', () => [started(2), finished('review'), review('approve')], null],
    ['tier 2, rejected in review', () => [started(2), finished('review'), review('reject')], 'E_REJECTED'],
    ['tier 3, auto', () => [started(3), finished('auto')], null],
    ['tier 3, awaiting review', () => [started(3), finished('review')], 'E_AWAITING_REVIEW'],
    ['an action in doubt', () => [started(2), finished('auto'), ev('action_started', { impacts })], 'E_IN_DOUBT'],
    ['acted on already', () => [started(3), finished('auto'), ev('action_started', { impacts }), ev('action_taken', { impacts })], 'E_ALREADY_ACTED'],
    ['an action that failed is not retried either', () => [started(3), finished('auto'), ev('action_started', { impacts }), ev('action_failed', { error: { type: 'x', message: 'y' } })], null],
    ['reverted', () => [started(2), finished('auto'), ev('action_started', { impacts }), ev('action_taken', { impacts }), ev('revert_started', {}), ev('action_reverted', { by: 'ann', reason: 'x', result: { ok: true } })], 'E_ALREADY_ACTED'],
  ])('%s', (_name, events, code) => {
    const no = actRefusal(runState('r1', events()));
    expect(no?.code ?? null).toBe(code);
    if (no) expect(no.kind).toBe(code === 'E_USAGE' ? 'usage' : 'tier');
  });

  it('names the run and the way out', () => {
    expect(actRefusal(runState('r1', [started(1), finished('approval_required')]))).toEqual({
      kind: 'tier',
      code: 'E_APPROVAL_REQUIRED',
      message: 'run r1 is tier 1: a person must approve it before any action',
      hint: 'aigov review approve r1',
    });
    expect(actRefusal(runState('r1', [started(2), finished('auto'), ev('action_started', { impacts })]))?.hint).toBe('check erp:INV-1 by hand; `aigov runs show r1` has the details');
  });
});
