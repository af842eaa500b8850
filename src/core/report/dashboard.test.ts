import { describe, expect, it } from 'vitest';
import { info, runEvents, type RunSpec } from '../../../test/support/report-log.js';
import type { FoldEvent } from '../stats/events.js';
import { createStatsFold, foldEvents } from '../stats/fold.js';
import { errorRate, overrideRate } from '../stats/rates.js';
import { buildDashboard, dashboardGroups, dashboardJson, dashboardWindowOf, weeksBetween } from './dashboard.js';

const SINCE = '2026-11-02T00:00:00.000Z'; // a Monday
const UNTIL = '2026-11-23T00:00:00.000Z'; // three weeks later
const day = (d: number, h = 10) => new Date(Date.parse(SINCE) + d * 86_400_000 + h * 3_600_000).toISOString();

function board(events: FoldEvent[], automations = [info('a'), info('b'), info('c')], signedOff = new Map<string, Set<string>>()) {
  const f = createStatsFold({ windowOf: dashboardWindowOf(SINCE, UNTIL) });
  let atUntil = null;
  for (const e of [...events].sort((x, y) => Date.parse(x.at) - Date.parse(y.at))) {
    if (!atUntil && Date.parse(e.at) >= Date.parse(UNTIL)) atUntil = f.result(UNTIL);
    f.add(e);
  }
  return buildDashboard({ since: SINCE, until: UNTIL, automations, stats: f.result(UNTIL, dashboardGroups(SINCE, UNTIL)), atUntil: atUntil ?? f.result(UNTIL), signedOff });
}

const specs: RunSpec[] = [
  // a: before the window (not counted), 10 a week in it, one week with 5 failures, one after the window
  { id: 'a-old', at: day(-3), automation: 'a', failed: true },
  ...Array.from({ length: 30 }, (_, i): RunSpec => ({ id: `a${i}`, at: day(Math.floor(i / 10) * 7 + (i % 5)), automation: 'a', failed: i >= 10 && i < 15, decision: i % 10 === 9 ? 'reject' : 'approve' })),
  { id: 'a-after', at: day(22), automation: 'a', failed: true },
  // b: waits for review since day 1: 21 days, under the monthly cadence; one model mismatch
  { id: 'b1', at: day(1), automation: 'b', disposition: 'review', confidence: 0.4, decision: null },
  { id: 'b2', at: day(2), automation: 'b', mismatch: true, disposition: 'review', confidence: 0.95, decision: 'approve' },
  // c: quiet
  { id: 'c1', at: day(3), automation: 'c' },
];
const events = specs.flatMap(runEvents);

describe('the dashboard, from a folded log', () => {
  const d = board(events);
  const a = d.automations.find((r) => r.id === 'a')!;

  it('counts the runs started inside the window only, with the rates of stats/rates', () => {
    expect([a.runs, a.failed, a.corrected]).toEqual([30, 5, 3]);
    expect(a.errorRate).toBe(5 / 30);
    expect(a.overrideRate).toBe(3 / 25);
    // the same as a fold whose only window is [since, until)
    const inside = foldEvents(events, UNTIL, { windowOf: (t) => (t >= SINCE && t < UNTIL ? 'in' : 'out') }).automations.find((x) => x.automation === 'a')!;
    const w = inside.windows.find((x) => x.window === 'in')!;
    expect([errorRate(w), overrideRate(w)]).toEqual([a.errorRate, a.overrideRate]);
  });

  it('gives each week of the window its own rates', () => {
    expect(weeksBetween(SINCE, UNTIL)).toEqual(['2026-W45', '2026-W46', '2026-W47']);
    expect(a.weekly.map((w) => [w.week, w.runs, w.errorRate])).toEqual([
      ['2026-W45', 10, 0],
      ['2026-W46', 10, 0.5],
      ['2026-W47', 10, 0],
    ]);
  });

  it('sorts what needs attention first, and says why', () => {
    expect(d.automations.map((r) => [r.id, r.flags])).toEqual([
      ['b', ['model_mismatch']],
      ['a', ['review_missed']], // a-old ran in October, and October was never signed off
      ['c', []],
    ]);
    expect(d.automations[0].reviewBacklog).toMatchObject({ count: 1, review: 1 });
  });

  it('flags an overdue review, drift, a failing eval and a missed monthly review', () => {
    const late = [...events, ...runEvents({ id: 'old-wait', at: '2026-10-01T00:00:00.000Z', automation: 'c', disposition: 'review', confidence: 0.3, decision: null })];
    const evalEvent: FoldEvent = { type: 'eval_completed', at: day(5), automation: null, runId: null, data: { suite: 'cs', passed: false, passRate: 0.5, prompt: { sha256: 'h' }, model: 'm' } };
    const d2 = board([...late, evalEvent], [info('a', { drift: ['model "fast" is not locked'] }), info('b', { tierDrift: true, fileTier: 3, lockTier: 2, tier: 2 }), info('c', { suites: ['cs'] })], new Map([['a', new Set(['2026-10'])], ['b', new Set(['2026-10'])]]));
    const flagsOf = Object.fromEntries(d2.automations.map((r) => [r.id, r.flags]));
    expect(flagsOf).toEqual({ a: ['lock_drift'], b: ['model_mismatch', 'tier_drift'], c: ['review_overdue', 'eval_failing', 'review_missed'] });
    expect(d2.automations.map((r) => r.id)).toEqual(['c', 'b', 'a']);
    const c = d2.automations[0];
    expect(c.flagDetails[0]).toBe('a run has waited 52 days for review, longer than the monthly cadence');
    expect(c.lastEval).toMatchObject({ suite: 'cs', passed: false, passRate: 0.5 });
  });

  it('shows an automation with runs in the window and no file', () => {
    const d2 = board([...events, ...runEvents({ id: 'z1', at: day(4), automation: 'gone' }), ...runEvents({ id: 'z2', at: day(-5), automation: 'older' })]);
    expect(d2.automations.map((r) => r.id).sort()).toEqual(['a', 'b', 'c', 'gone']);
  });

  it('--json has the fields of SPEC, rates as fractions', () => {
    const j = dashboardJson(d) as { since: string; until: string; automations: Record<string, unknown>[] };
    expect([j.since, j.until]).toEqual([SINCE, UNTIL]);
    expect(Object.keys(j.automations[0])).toEqual(expect.arrayContaining(['id', 'name', 'owner', 'tier', 'runs', 'errorRate', 'overrideRate', 'lowConfidenceRate', 'reviewBacklog', 'medianConfidence', 'costUsd', 'lastEval', 'flags']));
    expect(j.automations.find((r) => r.id === 'b')!.reviewBacklog).toEqual({ count: 1, oldestAt: expect.any(String) });
  });
});
