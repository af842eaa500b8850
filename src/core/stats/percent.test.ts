import { describe, expect, it } from 'vitest';
import { percentBin, percentMedian, shareAtOrAbove } from './percent.js';

const below = (x: number) => x - Number.EPSILON * Math.max(1, x); // the next double or two under x

describe('percentBin', () => {
  it.each<[number, number]>([
    [0, 0],
    [0.004, 0],
    [0.01, 1],
    [0.29, 29], // 0.29 * 100 is 28.999…: a plain floor says 28
    [0.57, 57], // 56.999…
    [0.5, 50],
    [0.999, 99],
    [1, 99], // the last bin also holds 1
  ])('%s is in bin %s', (c, k) => {
    expect(percentBin(c)).toBe(k);
  });

  it('agrees with `confidence >= threshold` at every threshold of the grid, at and just under it', () => {
    for (let k = 1; k < 100; k++) {
      const t = k / 100;
      for (const c of [t, below(t), t + 1e-12]) expect([c, percentBin(c) >= k]).toEqual([c, c >= t]);
    }
  });
});

describe('percentMedian and shareAtOrAbove', () => {
  const bins = (entries: Record<number, number>) => Array.from({ length: 100 }, (_, k) => entries[k] ?? 0);
  it.each<[string, number[], number | null]>([
    ['empty', bins({}), null],
    ['one run', bins({ 95: 1 }), 0.95],
    ['odd count: the middle one', bins({ 10: 1, 50: 1, 90: 1 }), 0.5],
    ['even count: the lower middle one', bins({ 10: 2, 90: 2 }), 0.1],
    ['many in one bin', bins({ 20: 1, 70: 5, 99: 1 }), 0.7],
  ])('median, %s', (_n, b, want) => {
    expect(percentMedian(b)).toBe(want);
  });

  it('share at or above a threshold', () => {
    const b = bins({ 10: 1, 84: 1, 85: 2, 99: 4 });
    expect(shareAtOrAbove(b, 0.85)).toBe(6 / 8);
    expect(shareAtOrAbove(b, 0)).toBe(1);
    expect(shareAtOrAbove(bins({}), 0.5)).toBeNull();
  });
});
