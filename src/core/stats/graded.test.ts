import { describe, expect, it } from 'vitest';
import type { FoldEvent } from './events.js';
import { createStatsFold, foldEvents } from './fold.js';
import type { Graded } from './graded.js';
import { byMonth } from './windows.js';

const T0 = Date.parse('2026-11-10T00:00:00Z');
const MIN = 60_000;
const DAY = 86_400_000;
const at = (ms: number) => new Date(T0 + ms).toISOString();
const ev = (type: string, runId: string, t: number, data: Record<string, unknown> = {}): FoldEvent => ({ type, runId, automation: 'inv', at: at(t), data });

/** One run: started, finished with a confidence and disposition, then whatever follows. */
function run(id: string, t: number, tier: number, confidence: number | null, disposition: string, audit = false): FoldEvent[] {
  return [ev('run_started', id, t, { tier }), ev('run_finished', id, t + MIN, { confidence, disposition, durationMs: 10, ...(audit ? { audit: true } : {}) })];
}
const decide = (id: string, t: number, decision: string, audit = false) => ev('review_resolved', id, t, { decision, reviewer: 'r', ...(audit ? { audit: true } : {}) });
const act = (id: string, t: number) => ev('action_taken', id, t, { impacts: [], reversibleUntil: at(t + DAY) });
const revert = (id: string, t: number) => ev('action_reverted', id, t, { by: 'r', reason: 'x' });

/** The graded runs as [bin, n, wrong] for every bin that holds any. */
const cells = (g: Graded) => g.n.flatMap((n, k) => (n ? [[k, n, g.wrong[k]]] : []));

describe('graded runs in the fold', () => {
  const log: FoldEvent[] = [
    ...run('approved', 0, 1, 0.9, 'approval_required'),
    decide('approved', 2 * MIN, 'approve'),
    ...run('rejected', 0, 1, 0.8, 'approval_required'),
    decide('rejected', 2 * MIN, 'reject'),
    ...run('overridden', 0, 2, 0.3, 'review'),
    decide('overridden', 2 * MIN, 'override'),
    decide('overridden', 3 * MIN, 'approve'), // a second decision does not count
    // tier 2, approved in review, acted on, reverted a day later: wrong after all
    ...run('approved-then-reverted', 0, 2, 0.31, 'review'),
    decide('approved-then-reverted', 2 * MIN, 'approve'),
    act('approved-then-reverted', 3 * MIN),
    revert('approved-then-reverted', 3 * MIN + 12 * 60 * MIN),
    // an audited auto run graded right, and one reverted before its audit grade came
    ...run('audit-ok', 0, 2, 0.95, 'auto', true),
    act('audit-ok', 2 * MIN),
    decide('audit-ok', 5 * DAY, 'approve', true),
    ...run('audit-after-revert', 0, 2, 0.96, 'auto', true),
    act('audit-after-revert', 2 * MIN),
    revert('audit-after-revert', 3 * MIN),
    decide('audit-after-revert', 4 * DAY, 'approve', true),
    // approved, acted on, a reversal that failed, so the action stands: still correct
    ...run('revert-failed', 0, 2, 0.33, 'review'),
    decide('revert-failed', 2 * MIN, 'approve'),
    act('revert-failed', 3 * MIN),
    ev('action_reverted', 'revert-failed', 4 * MIN, { by: 'r', reason: 'x', result: { ok: false, exitCode: 4 } }),
    // an auto run outside the sample, reverted: not graded (only its errors would be seen)
    ...run('unsampled-reverted', 0, 2, 0.97, 'auto'),
    act('unsampled-reverted', 2 * MIN),
    revert('unsampled-reverted', 3 * MIN),
    // an auto run outside the sample: not graded
    ...run('unsampled', 0, 2, 0.98, 'auto'),
    // graded, but without a confidence
    ...run('no-confidence', 0, 1, null, 'approval_required'),
    decide('no-confidence', 2 * MIN, 'approve'),
    // still waiting: not graded yet
    ...run('waiting', 0, 1, 0.7, 'approval_required'),
  ];
  // in time order, as a log is
  const stats = foldEvents([...log].sort((a, b) => Date.parse(a.at) - Date.parse(b.at)), at(10 * DAY)).automations[0];
  const g = stats.total.graded;

  it('counts each run once, by its first judge, and a revert makes it wrong', () => {
    expect(cells(g)).toEqual([
      [30, 1, 1], // overridden
      [31, 1, 1], // approved, then reverted
      [33, 1, 0], // approved; its reversal failed
      [80, 1, 1], // rejected
      [90, 1, 0], // approved
      [95, 1, 0], // audit: approved
      [96, 1, 1], // audit: approved, but reverted before
    ]);
    expect(g.by).toEqual({ review: 3, approval: 3, audit: 2 });
    expect(stats.total.reverted).toBe(3); // not the failed reversal
    expect(g.unknownConfidence).toBe(1);
  });

  it('keeps the sums the Brier score and the reliability table need', () => {
    expect(g.sumConfidence[31]).toBeCloseTo(0.31, 12);
    expect(g.sumConfidenceSq[31]).toBeCloseTo(0.31 ** 2, 12);
    expect(g.sumConfidenceWrong[31]).toBeCloseTo(0.31, 12);
    expect(g.sumConfidenceWrong[90]).toBe(0);
  });

  it('keeps every finished run by the hundredth of its confidence', () => {
    const p = stats.total.confidencePercent;
    expect(p.flatMap((n, k) => (n ? [[k, n]] : []))).toEqual([
      [30, 1], [31, 1], [33, 1], [70, 1], [80, 1], [90, 1], [95, 1], [96, 1], [97, 1], [98, 1],
    ]);
  });
});

describe('window groups', () => {
  it('merges the windows a group selects, with their sketches; the windows stay as they are', () => {
    const log = [
      ...run('oct', Date.parse('2026-10-20T00:00:00Z') - T0, 1, 0.5, 'auto'),
      ...run('nov-1', 0, 1, 0.6, 'auto'),
      ...run('nov-2', DAY, 1, 0.7, 'auto'),
      ...run('dec', Date.parse('2026-12-02T00:00:00Z') - T0, 1, 0.8, 'auto'),
    ];
    // the window function gets the automation too
    const fold = createStatsFold({ windowOf: (t, automation) => `${byMonth(t)}:${automation}` });
    for (const e of log) fold.add(e);
    const s = fold.result(at(40 * DAY), { groups: { fromNovember: (w) => w >= '2026-11', none: () => false } }).automations[0];
    expect(s.windows.map((w) => [w.window, w.started])).toEqual([['2026-10:inv', 1], ['2026-11:inv', 2], ['2026-12:inv', 1]]);
    expect(s.groups.fromNovember).toMatchObject({ window: 'fromNovember', started: 3, finished: 3 });
    expect(s.groups.fromNovember.confidencePercent.flatMap((n, k) => (n ? [k] : []))).toEqual([60, 70, 80]);
    expect(s.groups.fromNovember.latencyMs.median).toBeCloseTo(10, 0);
    expect(s.groups.none).toMatchObject({ started: 0, latencyMs: { median: null, p95: null } });
    expect(foldEvents(log, at(40 * DAY)).automations[0].groups).toEqual({});
  });
});
