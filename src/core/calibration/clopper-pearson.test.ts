import { describe, expect, it } from 'vitest';
import { runsNeededAtRate, runsNeededWithoutError, upperBound } from './clopper-pearson.js';

describe('the one-sided 95% Clopper-Pearson upper bound', () => {
  // Expected values: scipy.stats.beta.ppf(0.95, errors + 1, n - errors).
  it.each<[number, number, number]>([
    [1, 10, 0.39416330243650466],
    [1, 20, 0.2161061642068473],
    [1, 30, 0.14859606865911312],
    [2, 30, 0.19532604365492595],
    [6, 40, 0.27474450501397046],
    [5, 100, 0.1022533776432745],
    [2, 200, 0.031142599414083726],
    [50, 1000, 0.06286340351237973],
    [9, 10, 0.9948838031081763],
  ])('%s errors in %s runs', (k, n, want) => {
    expect(upperBound(k, n)).toBeCloseTo(want, 10);
  });

  it.each([1, 10, 20, 58, 59, 100, 1000, 100_000])('no error in %s runs: 1 - 0.05^(1/n)', (n) => {
    expect(upperBound(0, n)).toBeCloseTo(1 - 0.05 ** (1 / n), 14);
  });

  it('is 1 with no runs or every run wrong, and grows with the errors', () => {
    expect(upperBound(0, 0)).toBe(1);
    expect(upperBound(7, 7)).toBe(1);
    const bounds = [0, 1, 2, 3, 4, 5].map((k) => upperBound(k, 50));
    expect([...bounds].sort((a, b) => a - b)).toEqual(bounds);
  });

  it('the runs needed without an error: 59 for 5%, 14 for 20% (ln 0.05 / ln(1 - max), rounded up)', () => {
    expect(runsNeededWithoutError(1 - 0.95)).toBe(59); // 58 runs give 0.0503
    expect(upperBound(0, 58)).toBeGreaterThan(0.05);
    expect(runsNeededWithoutError(0.2)).toBe(14);
    expect(runsNeededWithoutError(0.01)).toBe(299);
  });

  it('the runs needed at a given error rate', () => {
    const n = runsNeededAtRate(0.02, 0.05)!;
    expect(upperBound(Math.round(0.02 * n), n)).toBeLessThanOrEqual(0.05);
    expect(upperBound(Math.round(0.02 * (n - 1)), n - 1)).toBeGreaterThan(0.05);
    expect(runsNeededAtRate(0.05, 0.05)).toBeNull();
    expect(runsNeededAtRate(0.2, 0.05)).toBeNull();
    expect(runsNeededAtRate(0, 0.05)).toBe(59);
  });
});
