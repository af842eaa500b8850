import { describe, expect, it } from 'vitest';
import { editDistance } from '../../suggest.js';
import { similar, similarity } from './similar.js';

describe('similarity', () => {
  it.each([
    ['identical', 'travel', 'travel', 1],
    ['both empty', '', '', 1],
    ['one empty', '', 'abc', 0],
    ['kitten/sitting: 3 edits over 7', 'kitten', 'sitting', 1 - 3 / 7],
    ['symmetric', 'sitting', 'kitten', 1 - 3 / 7],
    ['nothing in common', 'abc', 'xyz', 0],
    // Distances count UTF-16 code units, as before: an astral character is two.
    ['an emoji against a letter: 2 edits over 2 units', '😀', 'a', 0],
    ['an emoji added: 2 edits over 3 units', 'a😀', 'a', 1 - 2 / 3],
  ])('%s', (_n, a, b, expected) => {
    expect(similarity(a, b)).toBeCloseTo(expected, 10);
  });

  it('gives exactly what the plain edit distance gives, on strings of every size', () => {
    // A fixed pseudo-random sequence, so a failure is reproducible.
    let seed = 42;
    const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
    const word = (len: number): string => Array.from({ length: len }, () => 'abcdé😀 \n'[rand(9)]).join('');
    for (const len of [1, 5, 31, 32, 33, 63, 64, 65, 200]) {
      for (let i = 0; i < 5; i++) {
        const [a, b] = [word(len), word(rand(len * 2) + 1)];
        const longer = Math.max(a.length, b.length);
        expect(similarity(a, b)).toBe(1 - editDistance(a, b) / longer);
      }
    }
  });

  it('compares two 10k-character strings in well under 50 ms', () => {
    const a = 'The quick brown fox jumps over the lazy dog. '.repeat(223).slice(0, 10_000);
    const b = a.replace(/o/g, '0').slice(0, 9_990) + 'tail......';
    // The best of five: on a busy machine one run can lose its core for a while;
    // the plain dynamic-programming table took 1.4 s here, every time.
    let best = Infinity;
    let score = 0;
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      score = similarity(a, b);
      best = Math.min(best, performance.now() - t0);
    }
    expect(best).toBeLessThan(50);
    expect(score).toBeGreaterThan(0.8);
    expect(score).toBeLessThan(1);
  });
});

describe('similar assertion', () => {
  it.each([
    ['passes at the threshold, after trimming', '  kitten ', { value: 'kitten', threshold: 1 }, true],
    ['fails below it and shows the expected text', 'sitting', { value: 'kitten', threshold: 0.9 }, false],
  ])('%s', async (_n, output, spec, pass) => {
    const r = await similar.evaluate(output, { type: 'similar', ...spec }, {} as never);
    expect(r.pass).toBe(pass);
  });
});
