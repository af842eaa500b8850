import { describe, expect, it } from 'vitest';
import { addToSketch, mergeSketch, newSketch, quantile, SKETCH_ACCURACY } from './sketch.js';

/** A small deterministic generator, so the data are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function exact(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))];
}

describe('sketch quantiles', () => {
  it.each<[string, number[], number, number | null]>([
    ['empty', [], 0.5, null],
    ['one value', [250], 0.5, 250],
    ['the median of four is the lower middle one', [100, 200, 300, 400], 0.5, 200],
    ['p95 of four', [100, 200, 300, 400], 0.95, 300],
    ['p95 of 1..100', Array.from({ length: 100 }, (_, i) => i + 1), 0.95, 95],
    ['zeros are exact', [0, 0, 0, 5], 0.5, 0],
    ['negative and non-finite values are no measurement', [-1, NaN, Infinity, 40], 0.5, 40],
  ])('%s', (_name, values, q, want) => {
    const s = newSketch();
    values.forEach((v) => addToSketch(s, v));
    const got = quantile(s, q);
    if (want === null) expect(got).toBeNull();
    else if (want === 0) expect(got).toBe(0);
    else expect(Math.abs(got! - want) / want).toBeLessThanOrEqual(SKETCH_ACCURACY);
  });

  it.each<[string, () => number]>([
    ['uniform 1 ms to 60 s', ((r) => () => 1 + r() * 60_000)(lcg(1))],
    ['log-normal around 800 ms', ((r) => () => Math.exp(Math.log(800) + (r() + r() + r() - 1.5) * 2))(lcg(2))],
    ['whole milliseconds with ties', ((r) => () => Math.floor(r() * 50))(lcg(3))],
  ])('stays within 1%% of the exact value: %s', (_name, next) => {
    const values = Array.from({ length: 20_000 }, next);
    const s = newSketch();
    values.forEach((v) => addToSketch(s, v));
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1]) {
      const want = exact(values, q);
      const got = quantile(s, q)!;
      if (want === 0) expect(got).toBe(0);
      else expect(Math.abs(got - want) / want).toBeLessThanOrEqual(SKETCH_ACCURACY + 1e-12);
    }
    // Bounded memory: the buckets grow with the range's logarithm, not with the count.
    expect(s.buckets.size).toBeLessThan(800);
  });

  it('merges as if every value had been added to one sketch', () => {
    const a = newSketch();
    const b = newSketch();
    const all = newSketch();
    [5, 10, 0, 700].forEach((v) => (addToSketch(a, v), addToSketch(all, v)));
    [3, 9000, 12].forEach((v) => (addToSketch(b, v), addToSketch(all, v)));
    mergeSketch(a, b);
    expect(a).toEqual(all);
  });
});
