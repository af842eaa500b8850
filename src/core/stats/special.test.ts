import { describe, expect, it } from 'vitest';
import { logGamma, normalCdf, regularizedBeta, regularizedGammaQ } from './special.js';

// Expected values from Python: math.lgamma, scipy.special.betainc, scipy.special.gammaincc, scipy.stats.norm.cdf.
describe('special functions against known values', () => {
  it.each<[number, number]>([
    [0.5, 0.5723649429247004], // ln √π
    [1, 0],
    [10, 12.801827480081467], // ln 9!
    [100.5, 361.4355404677776],
    [1e6, 12815504.569147611],
  ])('ln Γ(%s)', (x, want) => {
    expect(logGamma(x)).toBeCloseTo(want, Math.abs(want) > 1e6 ? 6 : 12);
  });

  it.each<[number, number, number, number]>([
    [0.4, 2, 3, 0.5248], // a polynomial: 1 - (1-x)^4 - 4x(1-x)^3 at x = 0.4
    [0.05, 1, 59, 0.9515054747505768], // 1 - 0.95^59
    [0.3, 30.5, 70.5, 0.49416533517326483],
    [0.06, 500, 9500, 0.999992948519386],
  ])('I_%s(%s, %s)', (x, a, b, want) => {
    expect(regularizedBeta(x, a, b)).toBeCloseTo(want, 12);
  });

  it.each<[number, number, number]>([
    [0.5, 2, 0.04550026389635857], // erfc(√2) = P(|Z| > 2)
    [5, 3, 0.8152632445237722],
    [5, 10, 0.029252688076961124],
  ])('Q(%s, %s)', (a, x, want) => {
    expect(regularizedGammaQ(a, x)).toBeCloseTo(want, 13);
  });

  it.each<[number, number]>([
    [-6, 9.865876450376946e-10],
    [-1.959963984540054, 0.025],
    [0, 0.5],
    [1, 0.8413447460685429],
    [3, 0.9986501019683699],
  ])('Φ(%s)', (z, want) => {
    expect(Math.abs(normalCdf(z) - want) / want).toBeLessThan(1e-10);
  });
});
