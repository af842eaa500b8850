import { describe, expect, it } from 'vitest';
import { fisherExact, mcnemarExact } from './paired.js';

// Exact values, worked by hand from the binomial and hypergeometric counts.
describe('mcnemarExact (one-sided, for a drop)', () => {
  it.each([
    // worse, better, p
    [5, 0, 1 / 32], // 0.03125: the known value for 0 vs 5 discordant pairs
    [6, 1, 8 / 128], // (C(7,0) + C(7,1)) / 2^7 = 0.0625
    [10, 0, 1 / 1024],
    [9, 1, 11 / 1024],
    [8, 2, 56 / 1024], // 1 + 10 + 45
    [1, 0, 1 / 2],
    [4, 0, 1 / 16], // four cases that broke are not yet significant at 0.05 on their own
    [3, 3, 42 / 64], // no direction: 1 + 6 + 15 + 20
    [0, 5, 1], // the head got better
    [1, 2, 7 / 8],
    [0, 0, 1], // no pair differs
  ])('%i worse, %i better: p = %f', (worse, better, p) => {
    expect(mcnemarExact(worse, better)).toBeCloseTo(p, 14);
  });

  it('matches the binomial CDF at a hundred pairs, and stays finite at a hundred thousand', () => {
    // P(X <= 40), X ~ Binomial(100, 1/2)
    expect(mcnemarExact(60, 40)).toBeCloseTo(0.028443966820490392, 12);
    expect(mcnemarExact(50, 50)).toBeCloseTo(0.5397946186935895, 12);
    const big = mcnemarExact(50_500, 49_500);
    expect(big).toBeGreaterThan(0);
    expect(big).toBeLessThan(0.001);
    expect(mcnemarExact(50_000, 50_000)).toBeGreaterThan(0.5);
  });

  it('refuses counts that are not whole numbers', () => {
    for (const bad of [-1, 1.5, NaN, Infinity]) expect(() => mcnemarExact(bad, 0)).toThrow(RangeError);
  });
});

describe('fisherExact (one-sided, for a drop)', () => {
  const t = (bp: number, bf: number, hp: number, hf: number) => ({ base: { pass: bp, fail: bf }, head: { pass: hp, fail: hf } });
  it.each([
    // base pass, base fail, head pass, head fail, p
    [3, 1, 1, 3, 17 / 70], // the tea-tasting table: (16 + 1) / C(8,4)
    [8, 2, 1, 5, 280 / 11440], // (C(10,8)C(6,1) + C(10,9)C(6,0)) / C(16,9)
    [4, 0, 0, 4, 1 / 70],
    [5, 0, 0, 5, 1 / 252],
    [2, 2, 2, 2, 53 / 70], // no difference: (36 + 16 + 1) / 70
    [0, 4, 4, 0, 1], // the head got better
    [10, 0, 10, 0, 1], // nothing failed
    [0, 0, 0, 0, 1],
    [3, 0, 2, 1, 1 / 2], // C(3,3)C(3,2) / C(6,5) = 3/6
  ])('[[%i, %i], [%i, %i]]: p = %f', (bp, bf, hp, hf, p) => {
    expect(fisherExact(t(bp, bf, hp, hf))).toBeCloseTo(p, 14);
  });

  it('stays finite on large samples', () => {
    const p = fisherExact(t(9_000, 1_000, 8_800, 1_200));
    expect(p).toBeGreaterThan(0);
    expect(p).toBeLessThan(1e-4);
  });
});
