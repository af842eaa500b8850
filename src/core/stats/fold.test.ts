import { describe, expect, it } from 'vitest';
import { evalEvidence } from './evals.js';
import type { LoggedEvent } from '../log/events.js';
import type { FoldEvent } from './events.js';
import { createStatsFold, foldEvents, type AutomationStats } from './fold.js';
import { errorRate, lowConfidenceRate, overrideRate } from './rates.js';
import { byMonth } from './windows.js';

const T0 = Date.parse('2026-11-10T00:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const at = (ms: number) => new Date(T0 + ms).toISOString();

/** A tiny log writer: each helper returns the events the library would append. */
function ev(type: string, runId: string | null, t: number, data: Record<string, unknown> = {}, automation = 'inv'): FoldEvent {
  return { type, runId, automation, at: at(t), data };
}
const started = (id: string, t: number, tier = 1, automation = 'inv') => ev('run_started', id, t, { tier }, automation);
const finished = (id: string, t: number, d: { confidence?: unknown; disposition?: string; durationMs?: number; costUsd?: number | null; tokens?: unknown; audit?: boolean } = {}, automation = 'inv') =>
  ev('run_finished', id, t, { confidence: 0.9, disposition: 'approval_required', durationMs: 100, costUsd: 0.01, tokens: { input: 10, output: 2 }, ...d }, automation);
const failed = (id: string, t: number) => ev('run_failed', id, t, { error: { type: 'server', message: 'x' }, durationMs: 50 });
const reviewed = (id: string, t: number, decision: string, audit = false) => ev('review_resolved', id, t, { decision, reviewer: 'r', reason: 'x', ...(audit ? { audit: true } : {}) });
const acted = (id: string, t: number, reversibleUntil?: number) => ev('action_taken', id, t, { impacts: [], ...(reversibleUntil === undefined ? {} : { reversibleUntil: at(reversibleUntil) }) });
const reverted = (id: string, t: number) => ev('action_reverted', id, t, { by: 'r', reason: 'x' });
const mismatch = (id: string, t: number) => ev('model_mismatch', id, t, { expected: 'a', returned: 'b' });

function only(events: FoldEvent[], asOf = at(DAY), opts = {}): AutomationStats {
  const s = foldEvents(events, asOf, opts);
  expect(s.automations).toHaveLength(1);
  return s.automations[0];
}

describe('the fold: a small log, counted by hand', () => {
  const log = [
    started('r1', 0),
    finished('r1', 1 * MIN, { confidence: 0.9, durationMs: 100, costUsd: 0.01, tokens: { input: 10, output: 2 } }),
    started('r2', 2 * MIN),
    finished('r2', 3 * MIN, { confidence: 0.5, disposition: 'review', durationMs: 200, costUsd: null, tokens: { input: 20, output: 4 } }),
    started('r3', 4 * MIN),
    failed('r3', 5 * MIN),
    started('r4', 6 * MIN),
    finished('r4', 7 * MIN, { confidence: 0.95, durationMs: 300, costUsd: 0.02, tokens: { input: 30, output: 6 } }),
    started('r5', 8 * MIN), // still running
    started('r6', 9 * MIN),
    finished('r6', 10 * MIN, { confidence: 0.3, disposition: 'review', durationMs: 400, costUsd: 0.01, tokens: { input: 40, output: 8 } }),
    reviewed('r1', 20 * MIN, 'approve'),
    reviewed('r2', 21 * MIN, 'override'),
    reviewed('r4', 22 * MIN, 'reject'),
  ];
  const a = only(log, at(10 * MIN + 2 * HOUR));
  const t = a.total;

  it.each<[string, unknown, unknown]>([
    ['started', t.started, 6],
    ['finished', t.finished, 4],
    ['failed', t.failed, 1],
    ['abandoned', t.abandoned, 0],
    ['sent to review', t.sentToReview, 2],
    ['low-confidence reviews', t.lowConfidenceReviews, 2],
    ['approval required', t.approvalRequired, 2],
    ['approvals', t.approvals, 1],
    ['overrides', t.overrides, 1],
    ['rejections', t.rejections, 1],
    ['reverted', t.reverted, 0],
    ['corrected', t.corrected, 2],
    ['tokens', t.tokens, { input: 100, output: 20 }],
    ['runs without a cost', t.costUnknown, 1],
    ['confidence histogram', t.confidence, { bins: [0, 0, 0, 1, 0, 1, 0, 0, 0, 2], unknown: 0 }],
    ['error rate = 1 failed / 6 started', errorRate(t), 1 / 6],
    ['override rate = (1 override + 1 rejection) / 4 finished', overrideRate(t), 0.5],
    ['low-confidence rate = 2 / 4 finished', lowConfidenceRate(t), 0.5],
    ['backlog: r6 waits; a running run is not in review', a.backlog, { count: 1, review: 1, approval: 0, oldestAt: at(10 * MIN), ages: { underDay: 1, underWeek: 0, underMonth: 0, older: 0 } }],
    ['one window', a.windows.map((w) => w.window), ['all']],
  ])('%s', (_name, got, want) => {
    expect(got).toEqual(want);
  });

  it('cost and latency', () => {
    expect(t.costUsd).toBeCloseTo(0.04, 12);
    expect(t.latencyMs.median! / 200).toBeCloseTo(1, 1);
    expect(t.latencyMs.p95! / 300).toBeCloseTo(1, 1);
  });

  it('keeps state only for the runs still open: r5 running, r6 waiting', () => {
    const fold = createStatsFold();
    log.forEach((e) => fold.add(e));
    expect(fold.openRuns).toBe(2);
  });
});

describe("the fold: an outcome counts in the window of its run's start", () => {
  const OCT_END = Date.parse('2026-10-31T23:59:00Z') - T0;
  const log = [
    started('late', OCT_END),
    finished('late', OCT_END + 2 * MIN, { disposition: 'review', confidence: 0.2 }),
    started('nov', OCT_END + 3 * DAY),
    failed('nov', OCT_END + 3 * DAY + MIN),
    reviewed('late', OCT_END + 15 * DAY, 'override'),
  ];
  const a = only(log, at(OCT_END + 20 * DAY), { windowOf: byMonth });

  it.each<[string, string, Record<string, number>]>([
    ['2026-10', '2026-10', { started: 1, finished: 1, failed: 0, overrides: 1, corrected: 1, lowConfidenceReviews: 1 }],
    ['2026-11', '2026-11', { started: 1, finished: 0, failed: 1, overrides: 0, corrected: 0, lowConfidenceReviews: 0 }],
    ['the total', 'total', { started: 2, finished: 1, failed: 1, overrides: 1, corrected: 1, lowConfidenceReviews: 1 }],
  ])('%s', (_name, window, want) => {
    const w = window === 'total' ? a.total : a.windows.find((x) => x.window === window)!;
    expect(Object.fromEntries(Object.keys(want).map((k) => [k, w[k as keyof typeof w]]))).toEqual(want);
  });

  it('lists the windows in time order, each with its own rates', () => {
    expect(a.windows.map((w) => [w.window, errorRate(w), overrideRate(w)])).toEqual([
      ['2026-10', 0, 1],
      ['2026-11', 1, null],
    ]);
  });
});

describe('the fold: corrections, reversals, mismatches, audits', () => {
  it.each<[string, FoldEvent[], Record<string, unknown>, object?]>([
    ['a tier-2 action reverted', [started('a', 0, 2), finished('a', MIN, { disposition: 'auto' }), acted('a', 2 * MIN, DAY), reverted('a', HOUR)], { reverted: 1, corrected: 1 }],
    ['overridden, then its action reverted: one corrected run', [started('a', 0, 2), finished('a', MIN, { disposition: 'review', confidence: 0.1 }), reviewed('a', 2 * MIN, 'override'), acted('a', 3 * MIN, DAY), reverted('a', HOUR)], { overrides: 1, reverted: 1, corrected: 1 }],
    ['two reviewers: the first decision stands', [started('a', 0), finished('a', MIN), reviewed('a', 2 * MIN, 'approve'), reviewed('a', 3 * MIN, 'reject')], { approvals: 1, rejections: 0, corrected: 0 }],
    ['a mismatch alone is no low-confidence review', [mismatch('a', MIN), started('a', 0), mismatch('a', MIN), finished('a', MIN, { disposition: 'review', confidence: 0.95 })], { sentToReview: 1, lowConfidenceReviews: 0, modelMismatches: 1 }, { thresholdOf: () => 0.85 }],
    ['a mismatch and low confidence', [started('a', 0), mismatch('a', MIN), finished('a', MIN, { disposition: 'review', confidence: 0.5 })], { sentToReview: 1, lowConfidenceReviews: 1 }, { thresholdOf: () => 0.85 }],
    ['a mismatch, unknown confidence, with a threshold', [started('a', 0), mismatch('a', MIN), finished('a', MIN, { disposition: 'review', confidence: null })], { lowConfidenceReviews: 1 }, { thresholdOf: () => 0.85 }],
    ['a mismatch review without a threshold', [started('a', 0), mismatch('a', MIN), finished('a', MIN, { disposition: 'review', confidence: 0.1 })], { sentToReview: 1, lowConfidenceReviews: 0 }],
    ['two mismatch events for one run count one run', [started('a', 0), mismatch('a', MIN), mismatch('a', MIN), finished('a', MIN)], { modelMismatches: 1 }],
    ['an audit grade is not a review decision', [started('a', 0, 3), finished('a', MIN, { disposition: 'auto', audit: true }), reviewed('a', DAY, 'override', true)], { audited: 1, auditGrades: { approve: 0, override: 1, reject: 0 }, overrides: 0, corrected: 0 }],
    ['abandoned is not failed', [started('a', 0), ev('run_abandoned', 'a', HOUR, { reason: 'x', by: 'p' })], { started: 1, abandoned: 1, failed: 0 }],
    ['a duplicate start or finish counts once', [started('a', 0), started('a', 0), finished('a', MIN), finished('a', MIN)], { started: 1, finished: 1 }],
    ['a finish after a failure is ignored', [started('a', 0), failed('a', MIN), finished('a', 2 * MIN)], { failed: 1, finished: 0 }],
    ['a tier-3 action cannot be reverted', [started('a', 0, 3), finished('a', MIN, { disposition: 'auto' }), acted('a', 2 * MIN), reverted('a', 3 * MIN)], { reverted: 0, corrected: 0 }],
  ])('%s', (_name, log, want, opts = {}) => {
    const t = only(log, at(2 * DAY), opts).total;
    for (const [k, v] of Object.entries(want)) expect([k, t[k as keyof typeof t]]).toEqual([k, v]);
  });

  it('counts an outcome for a run it never saw start as unattributed, and nothing else', () => {
    const fold = createStatsFold();
    for (const e of [started('a', 0), reviewed('gone', MIN, 'override'), reverted('gone', 2 * MIN), acted('gone', 3 * MIN)]) fold.add(e);
    expect(fold.unattributed.get('inv')).toBe(2);
    const t = fold.result(at(DAY)).automations[0].total;
    expect([t.started, t.overrides, t.reverted]).toEqual([1, 0, 0]);
  });

  it('reads a malformed payload as missing fields, never as a crash', () => {
    const a = only([
      started('a', 0),
      finished('a', MIN, { confidence: '0.9', durationMs: 'fast' as unknown as number, costUsd: 'free' as unknown as number, tokens: 'many', disposition: 'maybe' }),
      started('b', 0),
      finished('b', MIN, { confidence: 1 }),
      started('c', 0),
      finished('c', MIN, { confidence: 0 }),
      started('d', 0),
      finished('d', MIN, { confidence: 1.5 }),
      { type: 'run_started', runId: 'e', automation: 'inv', at: 'yesterday', data: {} },
      { type: 'run_started', runId: null, automation: 'inv', at: at(0), data: {} },
      ev('review_resolved', 'b', 2 * MIN, { decision: 'shrug' }),
    ]);
    expect(a.total.started).toBe(4);
    expect(a.total.confidence).toEqual({ bins: [1, 0, 0, 0, 0, 0, 0, 0, 0, 1], unknown: 2 });
    expect(a.total.costUnknown).toBe(1);
    expect(a.total.tokens).toEqual({ input: 30, output: 6 }); // b, c and d only: a's tokens are not a mapping
    expect(a.total.approvals + a.total.overrides + a.total.rejections).toBe(0);
  });
});

describe('the fold: the review backlog', () => {
  const asOf = 60 * DAY;
  const log = [
    ['h', asOf - 2 * HOUR, 'review'],
    ['d', asOf - 3 * DAY, 'review'],
    ['w', asOf - 10 * DAY, 'approval_required'],
    ['m', asOf - 40 * DAY, 'review'],
    ['x', asOf - 50 * DAY, 'review'],
  ].flatMap(([id, t, disposition]) => [started(id as string, (t as number) - MIN), finished(id as string, t as number, { disposition: disposition as string })]);
  const decided = [...log, reviewed('x', asOf - MIN, 'approve')];

  it('counts what waits, by kind and age, and finds the oldest', () => {
    expect(only(decided, at(asOf)).backlog).toEqual({ count: 4, review: 3, approval: 1, oldestAt: at(asOf - 40 * DAY), ages: { underDay: 1, underWeek: 1, underMonth: 1, older: 1 } });
  });

  it('is empty for an automation with nothing waiting', () => {
    expect(only([started('a', 0), failed('a', MIN)]).backlog).toEqual({ count: 0, review: 0, approval: 0, oldestAt: null, ages: { underDay: 0, underWeek: 0, underMonth: 0, older: 0 } });
  });
});

describe('the fold: automations and evals', () => {
  it('keeps automations apart, in code-point order', () => {
    const s = foldEvents([started('a', 0, 1, 'b'), started('b', 0, 1, 'B'), started('c', 0, 1, 'a'), finished('c', MIN, {}, 'a')], at(DAY));
    expect(s.automations.map((a) => [a.automation, a.total.started, a.total.finished])).toEqual([
      ['B', 1, 0],
      ['a', 1, 1],
      ['b', 1, 0],
    ]);
  });

  const evalEvent = (t: number, d: Record<string, unknown>): FoldEvent => ({ type: 'eval_completed', runId: null, automation: null, at: at(t), data: { suite: 's', passRate: 1, cases: 4, mode: 'live', ...d } });
  const A = 'a'.repeat(64);
  const B = 'b'.repeat(64);
  const evals = [
    evalEvent(0, { prompt: { id: 'p', version: 1, sha256: A }, model: 'openai:m-1', served: 'm-1', passed: true }),
    evalEvent(HOUR, { prompt: { id: 'p', version: 1, sha256: A }, model: 'openai:m-1', served: 'm-1', passed: false, passRate: 0.5 }),
    evalEvent(2 * HOUR, { prompt: { id: 'p', version: 2, sha256: B }, model: 'openai:m-1', served: 'm-1', passed: true }),
    evalEvent(3 * HOUR, { prompt: { id: 'p', version: 2, sha256: B }, model: 'openai:m-1', served: 'other', passed: true }),
    evalEvent(4 * HOUR, { prompt: { id: 'p', version: 2, sha256: B }, model: 'openai:m-2', passed: true, unlocked: true }),
  ];
  const s = foldEvents(evals, at(DAY));
  const C = 'c'.repeat(64);
  // At hash C: a whole, passing replay of the served model, then newer runs that are no evidence
  // for the suite (a shard, an unlocked run at the same model), then a replay of recordings
  // that hold no model name.
  const later = foldEvents(
    [
      evalEvent(0, { prompt: { id: 'p', version: 3, sha256: C }, model: 'openai:m-1', served: 'm-1', mode: 'replay', passed: true }),
      evalEvent(HOUR, { prompt: { id: 'p', version: 3, sha256: C }, model: 'openai:m-1', served: 'm-1', passed: false, shard: { index: 1, count: 2 } }),
      evalEvent(2 * HOUR, { prompt: { id: 'p', version: 3, sha256: C }, model: 'openai:m-1', served: 'm-1', passed: false, unlocked: true }),
      evalEvent(3 * HOUR, { prompt: { id: 'p', version: 3, sha256: C }, model: 'openai:m-2', served: null, mode: 'replay', passed: true }),
    ],
    at(DAY),
  );

  it.each<[string, { sha256: string; model: string; served?: string | null }, { at: string; passed: boolean } | null]>([
    ['a shard or an unlocked run hides no whole run before it', { sha256: C, model: 'openai:m-1', served: 'm-1' }, { at: at(0), passed: true }],
    ['recordings without a model name are no evidence for a lock that names one', { sha256: C, model: 'openai:m-2', served: 'm-2' }, null],
    ['and are for a lock that says the API reports none', { sha256: C, model: 'openai:m-2', served: null }, { at: at(3 * HOUR), passed: true }],
  ])('evalEvidence: %s', (_name, target, want) => {
    const got = evalEvidence(later.evals, 's', target);
    expect(got && { at: got.at, passed: got.passed }).toEqual(want);
  });

  it.each<[string, { sha256: string; model: string; served?: string }, { at: string; passed: boolean } | null]>([
    ['the newest at a target stands, even when it failed', { sha256: A, model: 'openai:m-1', served: 'm-1' }, { at: at(HOUR), passed: false }],
    ['answered by the served model', { sha256: B, model: 'openai:m-1', served: 'm-1' }, { at: at(2 * HOUR), passed: true }],
    ['a lock without served compares no served model', { sha256: B, model: 'openai:m-1' }, { at: at(3 * HOUR), passed: true }],
    ['an unlocked run is no evidence', { sha256: B, model: 'openai:m-2' }, null],
    ['another prompt hash is no evidence', { sha256: 'c'.repeat(64), model: 'openai:m-1' }, null],
  ])('evalEvidence: %s', (_name, target, want) => {
    const got = evalEvidence(s.evals, 's', target);
    expect(got && { at: got.at, passed: got.passed }).toEqual(want);
  });

  it('keeps the last eval of each suite', () => {
    expect(s.evals.map((e) => [e.suite, e.last.at, e.last.unlocked])).toEqual([['s', at(4 * HOUR), true]]);
    expect(evalEvidence(s.evals, 'nope', { sha256: A, model: 'openai:m-1' })).toBeNull();
  });
});

describe('the fold reads what the store returns', () => {
  it('takes a LoggedEvent as it is', () => {
    // A partial payload: the point is that the store's type is the fold's input type.
    const logged = { v: 1, seq: 1, id: 'e1', type: 'run_started', at: at(0), automation: 'inv', runId: 'r1', actor: 'lib', data: { tier: 1 }, prevHash: '0', hash: '1' } as LoggedEvent;
    const asFold: FoldEvent = logged;
    expect(only([asFold]).total.started).toBe(1);
  });
});

describe('the fold: bounded memory', () => {
  it('holds no state for settled tier-1 and tier-3 runs, however many', () => {
    const fold = createStatsFold();
    for (let i = 0; i < 20_000; i++) {
      const id = `r${i}`;
      fold.add(started(id, i * MIN, i % 2 ? 1 : 3));
      fold.add(finished(id, i * MIN + 1000, { disposition: i % 2 ? 'approval_required' : 'auto' }));
      if (i % 2) fold.add(reviewed(id, i * MIN + 2000, 'approve'));
    }
    expect(fold.openRuns).toBe(0);
    expect(fold.result(at(20_000 * MIN)).automations[0].total.finished).toBe(20_000);
  });

  it('drops a tier-2 run once its reversal window has closed, or it was never acted on', () => {
    const fold = createStatsFold({ actionHorizonMs: HOUR });
    for (let i = 0; i < 20_000; i++) {
      const id = `r${i}`;
      fold.add(started(id, i * MIN, 2));
      fold.add(finished(id, i * MIN + 1000, { disposition: 'auto' }));
      if (i % 3) fold.add(acted(id, i * MIN + 2000, i * MIN + 2 * HOUR));
    }
    // Two hours of runs are still reversible; the sweep runs every few thousand events.
    expect(fold.openRuns).toBeLessThan(120 + 4096);
    expect(fold.openRuns).toBeGreaterThanOrEqual(120 - 1);
    // A revert inside the window still counts in its run's window.
    fold.add(reverted('r19999', 20_000 * MIN));
    expect(fold.result(at(20_000 * MIN)).automations[0].total.reverted).toBe(1);
  });
});

describe('the reversal window', () => {
  const tier2 = (extra: FoldEvent[]) => only([started('a', 0, 2), finished('a', MIN, { disposition: 'auto' }), ...extra], at(30 * DAY)).total;

  it.each([
    ['inside the action window', [acted('a', 2 * MIN, DAY), reverted('a', HOUR)], 1],
    ['after the action window, though the run is still held', [acted('a', 2 * MIN, DAY), reverted('a', 2 * DAY)], 0],
    ['with no action window: within the horizon after it became actionable', [acted('a', 2 * MIN), reverted('a', 6 * DAY)], 1],
    ['with no action window: after the horizon', [acted('a', 2 * MIN), reverted('a', 8 * DAY)], 0],
    ['the first action that names a window sets it', [acted('a', 2 * MIN, HOUR), acted('a', 3 * MIN, 5 * DAY), reverted('a', 2 * HOUR)], 0],
  ] as const)('a revert %s', (_name, events, reverted) => {
    expect(tier2([...events]).reverted).toBe(reverted);
  });

  it('an event dated ahead does not close the windows of the runs after it', () => {
    const fold = createStatsFold();
    fold.add(ev('model_pinned', null, 90 * DAY, {}, 'inv'));
    for (const e of [started('a', 0, 2), finished('a', MIN, { disposition: 'auto' }), acted('a', 2 * MIN, DAY), ev('tier_changed', null, 60 * DAY), reverted('a', HOUR)]) fold.add(e);
    expect(fold.result(at(100 * DAY)).automations[0].total.reverted).toBe(1);
  });

  it('a rejected run is never reverted, whatever action follows', () => {
    const t = only([started('a', 0, 2), finished('a', MIN, { disposition: 'review', confidence: 0.1 }), reviewed('a', 2 * MIN, 'reject'), acted('a', 3 * MIN, DAY), reverted('a', HOUR)], at(30 * DAY)).total;
    expect([t.rejections, t.reverted, t.corrected]).toEqual([1, 0, 1]);
  });
});
