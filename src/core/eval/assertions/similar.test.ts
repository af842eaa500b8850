import { describe, expect, it } from 'vitest';
import { similarity } from './similar.js';

describe('similarity', () => {
  it.each([
    ['identical', 'travel', 'travel', 1],
    ['both empty', '', '', 1],
    ['one empty', '', 'abc', 0],
    ['kitten/sitting: 3 edits over 7', 'kitten', 'sitting', 1 - 3 / 7],
    ['symmetric', 'sitting', 'kitten', 1 - 3 / 7],
    ['nothing in common', 'abc', 'xyz', 0],
  ])('%s', (_n, a, b, expected) => {
    expect(similarity(a, b)).toBeCloseTo(expected, 10);
  });
});
