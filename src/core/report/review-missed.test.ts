import { describe, expect, it } from 'vitest';
import { addMonths, isMonth } from './month.js';
import { periodBefore, reviewMissed } from './review-missed.js';

describe('months', () => {
  it.each<[string, number, string]>([
    ['2026-11', -1, '2026-10'],
    ['2026-01', -1, '2025-12'],
    ['2026-12', 1, '2027-01'],
    ['2026-03', -15, '2024-12'],
  ])('%s %s months is %s', (m, n, want) => {
    expect(addMonths(m, n)).toBe(want);
  });
  it.each(['2026-1', '2026-13', '2026-00', '26-11', '2026-11-01', ''])('%j is not a month', (m) => {
    expect(isMonth(m)).toBe(false);
  });
});

describe('review_missed', () => {
  const runs = (months: Record<string, number>) => (m: string) => months[m] ?? 0;
  it.each<[string, string, 'weekly' | 'monthly' | 'quarterly', string[], Record<string, number>, string[] | null]>([
    ['monthly, last month signed off', '2026-12', 'monthly', ['2026-11'], { '2026-11': 50 }, null],
    ['monthly, not signed off', '2026-12', 'monthly', [], { '2026-11': 50 }, ['2026-11']],
    ['monthly, only an older month signed off', '2026-12', 'monthly', ['2026-10'], { '2026-11': 50 }, ['2026-11']],
    ['a sign-off of this month does not cover last month', '2026-12', 'monthly', ['2026-12'], { '2026-11': 50 }, ['2026-11']],
    ['nothing ran last month: nothing to review', '2026-12', 'monthly', [], { '2026-12': 50 }, null],
    ['weekly reads the month before, as monthly', '2027-01', 'weekly', [], { '2026-12': 5 }, ['2026-12']],
    ['quarterly: any of the three months before', '2027-01', 'quarterly', ['2026-10'], { '2026-12': 5 }, null],
    ['quarterly, none of them', '2027-01', 'quarterly', ['2026-09'], { '2026-11': 5 }, ['2026-10', '2026-11', '2026-12']],
  ])('%s', (_name, month, cadence, signed, ran, want) => {
    const r = reviewMissed(month, cadence, new Set(signed), runs(ran));
    expect(r && r.period).toEqual(want);
  });

  it('periods', () => {
    expect(periodBefore('2026-01', 'quarterly')).toEqual(['2025-10', '2025-11', '2025-12']);
    expect(periodBefore('2026-01', 'monthly')).toEqual(['2025-12']);
  });
});
