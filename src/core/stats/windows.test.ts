import { describe, expect, it } from 'vitest';
import { allTime, byDay, byMonth, byWeek, isCanonicalTime } from './windows.js';

describe('windows', () => {
  it.each<[string, string, string]>([
    ['2026-01-01T12:00:00Z', '2026-01-01', '2026-W01'],
    ['2027-01-01T00:00:00Z', '2027-01-01', '2026-W53'],
    ['2024-12-30T00:00:00Z', '2024-12-30', '2025-W01'],
    ['2021-01-03T23:59:59.999Z', '2021-01-03', '2020-W53'],
    ['2026-11-24T10:00:00Z', '2026-11-24', '2026-W48'],
    ['2026-12-31T00:00:00Z', '2026-12-31', '2026-W53'],
    // An offset is read as the instant it names: 23:30 in New York is already December in UTC.
    ['2026-11-30T23:30:00-05:00', '2026-12-01', '2026-W49'],
  ])('%s is in day %s, week %s', (at, day, week) => {
    expect(byDay(at)).toBe(day);
    expect(byWeek(at)).toBe(week);
    expect(byMonth(at)).toBe(day.slice(0, 7));
    expect(allTime(at)).toBe('all');
  });
});

describe('canonical times', () => {
  it.each<[string, boolean]>([
    ['2026-11-24T10:00:00.000Z', true],
    ['2026-11-24T10:00:00Z', false],
    ['2026-11-24T10:00:00.000+01:00', false],
    ['2026-11-24 10:00:00.000Z', false],
  ])('%s: %s', (at, want) => {
    expect(isCanonicalTime(at)).toBe(want);
  });
  it('a week is the same whether the time is canonical or not', () => {
    for (const at of ['2026-11-30T23:30:00.000Z', '2026-11-30T23:30:00Z', '2026-12-01T04:30:00+05:00']) expect(byWeek(at)).toBe('2026-W49');
  });
});
