import { describe, expect, it } from 'vitest';
import { UsageError } from '../../errors.js';
import { callerConfidence, dispositionOf } from './disposition.js';

describe('dispositionOf', () => {
  it.each([
    [1, 0.9, 0.8, 'approval_required'],
    [1, 0.5, 0.8, 'review'],
    [2, 0.9, 0.8, 'auto'],
    [2, 0.8, 0.8, 'auto'],
    [2, 0.79, 0.8, 'review'],
    [3, 0.9, 0.8, 'auto'],
    [3, 0.1, undefined, 'auto'],
    [3, 0, undefined, 'auto'],
    // No confidence is never auto, with or without a threshold, at any tier.
    [1, null, undefined, 'review'],
    [2, null, undefined, 'review'],
    [3, null, undefined, 'review'],
    [3, null, 0, 'review'],
    // Nor is a value that is not a confidence (a bug upstream, or a forged payload).
    [3, Number.NaN, undefined, 'review'],
    [3, Number.NaN, 0.5, 'review'],
    [3, Number.POSITIVE_INFINITY, 0.5, 'review'],
    [3, 7, 0.5, 'review'],
    [3, -0.1, undefined, 'review'],
    [3, '0.9' as unknown as number, 0.5, 'review'],
  ] as const)('tier %s, confidence %s, threshold %s -> %s', (tier, confidence, threshold, expected) => {
    expect(dispositionOf(tier, confidence, threshold)).toBe(expected);
  });
});

describe('callerConfidence', () => {
  it.each([
    [0, 0],
    [1, 1],
    [0.42, 0.42],
    [null, null],
    [undefined, null],
  ])('accepts %s', (value, expected) => {
    expect(callerConfidence(value)).toBe(expected);
  });

  it.each([
    [Number.NaN, 'got NaN'],
    [Number.POSITIVE_INFINITY, 'got Infinity'],
    [Number.NEGATIVE_INFINITY, 'got -Infinity'],
    [7, 'got 7'],
    [-0.01, 'got -0.01'],
    [1.0000001, 'got 1.0000001'],
    ['0.1', 'got "0.1"'],
    [true, 'got boolean'],
    [{ value: 0.5 }, 'got object'],
  ])('refuses %s (E_CONFIDENCE)', (value, message) => {
    const err = (() => {
      try {
        callerConfidence(value);
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(UsageError);
    expect(err).toMatchObject({ code: 'E_CONFIDENCE', exitCode: 2 });
    expect((err as Error).message).toContain(message);
  });
});
