import { describe, expect, it } from 'vitest';
import { info, runEvents, type RunSpec } from '../../../test/support/report-log.js';
import type { FoldEvent } from '../stats/events.js';
import { createStatsFold, foldEvents, type Statistics } from '../stats/fold.js';
import { byMonth } from '../stats/windows.js';
import { buildMonthlyReport, monthlyBoundaries, monthlyGroups, monthlyWindowOf } from './monthly.js';

const NOW = '2026-12-05T00:00:00.000Z';
const iso = (day: string, h = 12) => new Date(Date.parse(`${day}T00:00:00Z`) + h * 3_600_000).toISOString();

/** Folds as app/read-stats does: snapshots taken as the log passes each boundary. */
function fold(events: FoldEvent[], tierChanges: Map<string, string>, month: string): { stats: Statistics; snaps: Statistics[] } {
  const f = createStatsFold({ windowOf: monthlyWindowOf(tierChanges) });
  const { endOfPrevious, endOfMonth } = monthlyBoundaries(month);
  const pending = [endOfPrevious, endOfMonth];
  const snaps: Statistics[] = [];
  for (const e of [...events].sort((a, b) => Date.parse(a.at) - Date.parse(b.at))) {
    while (pending.length && Date.parse(e.at) >= Date.parse(pending[0])) snaps.push(f.result(pending.shift()!));
    f.add(e);
  }
  while (pending.length) snaps.push(f.result(pending.shift()!));
  return { stats: f.result(NOW, monthlyGroups(month)), snaps };
}

// inv, tier 2 since 2026-10-15: 40 runs in October (20 before the tier change), 2 failed;
// 50 in November, 10 failed; one run of 31 October waits for review until 3 November.
const specs: RunSpec[] = [];
for (let i = 0; i < 40; i++) specs.push({ id: `o${i}`, at: iso(`2026-10-${String(1 + Math.floor(i * 0.7)).padStart(2, '0')}`), tier: i < 20 ? 1 : 2, failed: i % 20 === 7, disposition: 'auto' });
for (let i = 0; i < 50; i++) specs.push({ id: `n${i}`, at: iso(`2026-11-${String(1 + Math.floor(i * 0.55)).padStart(2, '0')}`), tier: 2, failed: i % 5 === 0, disposition: 'auto' });
specs.push({ id: 'late', at: iso('2026-10-31', 20), tier: 2, confidence: 0.5, disposition: 'review', decision: 'override', decidedAfter: 3 * 24 * 60 });
// ok: tier 1, few runs, never signed off; gone: runs in November, its file removed
for (let i = 0; i < 5; i++) specs.push({ id: `k${i}`, at: iso('2026-10-20'), automation: 'ok' }, { id: `k${i}n`, at: iso('2026-11-20'), automation: 'ok' });
specs.push({ id: 'g1', at: iso('2026-11-02'), automation: 'gone' });
const events = specs.flatMap(runEvents);
const tierChanges = new Map([['inv', '2026-10-15T00:00:00.000Z']]);

describe('the monthly report, from a folded log', () => {
  const { stats, snaps } = fold(events, tierChanges, '2026-11');
  const report = buildMonthlyReport({
    month: '2026-11',
    asOf: NOW,
    automations: [info('inv', { tier: 2, fileTier: 2, threshold: 0.8 }), info('ok')],
    stats,
    endOfPrevious: snaps[0],
    endOfMonth: snaps[1],
    signedOff: new Map([['inv', new Set(['2026-10'])]]),
  });
  const inv = report.automations.find((a) => a.id === 'inv')!;

  it('reports this month against the previous one', () => {
    expect([report.month, report.previousMonth]).toEqual(['2026-11', '2026-10']);
    expect(report.automations.map((a) => [a.id, a.inWorkspace])).toEqual([['gone', false], ['inv', true], ['ok', true]]);
  });

  it('has the figures of the fold by month, counted by hand', () => {
    expect([inv.previous.runs, inv.previous.failed, inv.current.runs, inv.current.failed]).toEqual([41, 2, 50, 10]);
    expect(inv.current.errorRate).toBe(10 / 50);
    expect(inv.previous.errorRate).toBe(2 / 41);
    expect(inv.previous.overrideRate).toBe(1 / 39); // of 39 finished: the late run, overridden in November, counts in October
    // the same numbers as a plain fold by month
    const plain = foldEvents(events, NOW, { windowOf: byMonth }).automations.find((a) => a.automation === 'inv')!;
    expect(plain.windows.map((w) => [w.window, w.started, w.failed, w.corrected])).toEqual([['2026-10', 41, 2, 1], ['2026-11', 50, 10, 0]]);
  });

  it('has the backlog as it stood at the end of each month', () => {
    expect(inv.previous.reviewBacklog).toEqual({ count: 1, oldestAt: new Date(Date.parse(iso('2026-10-31', 20)) + 60_000).toISOString() });
    expect(inv.current.reviewBacklog).toEqual({ count: 0, oldestAt: null });
  });

  it('flags a significant rise in the error rate (2 of 41 to 10 of 50), and a missed review only where it was missed', () => {
    // scipy.stats.fisher_exact([[10, 40], [2, 39]], alternative='greater')
    expect(inv.flags.map((f) => f.code)).toContain('error_rising');
    expect(inv.flags.find((f) => f.code === 'error_rising')!.pValue).toBeLessThan(0.05);
    expect(inv.flags.map((f) => f.code)).not.toContain('review_missed');
    const ok = report.automations.find((a) => a.id === 'ok')!;
    expect(ok.flags.map((f) => f.code)).toEqual(['review_missed']);
  });

  it('judges the promotion gates over the runs since the last tier change', () => {
    // 20 October runs on or after 15 October (one failed) and the late one, 50 in November (10 failed): 71 started, 11 failed
    const gate = inv.flags.find((f) => f.code === 'promotion_gate_failing')!;
    expect(gate.gates).toEqual(['governance', 'evals', 'errorRate']);
    expect(gate.detail).toContain(`errorRate ${Number(((11 / 71) * 100).toFixed(1))}%`);
    expect(stats.automations.find((a) => a.automation === 'inv')!.groups.sinceTierChange.started).toBe(71);
  });
});
