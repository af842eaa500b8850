import { describe, expect, it } from 'vitest';
import { extractConfidence } from './confidence.js';
import { dispositionOf } from './tiers/disposition.js';

describe('extractConfidence', () => {
  it.each([
    ['logprobs: one token', 'logprobs', [{ text: 'travel', logprobs: [{ token: 'travel', logprob: Math.log(0.9) }] }], 0.9, 'travel'],
    ['logprobs: product of tokens', 'logprobs', [{ text: 'a b', logprobs: [{ token: 'a', logprob: Math.log(0.5) }, { token: ' b', logprob: Math.log(0.5) }] }], 0.25, 'a b'],
    ['logprobs: none returned', 'logprobs', [{ text: 'x', logprobs: null }], null, 'x'],
    ['field: a number', 'field:/confidence', [{ text: '{"category":"bug","confidence":0.72}' }], 0.72, '{"category":"bug","confidence":0.72}'],
    ['field: nested pointer', 'field:/meta/score', [{ text: '{"meta":{"score":1}}' }], 1, '{"meta":{"score":1}}'],
    ['field: not a number', 'field:/confidence', [{ text: '{"confidence":"high"}' }], null, '{"confidence":"high"}'],
    ['field: out of range', 'field:/confidence', [{ text: '{"confidence":7}' }], null, '{"confidence":7}'],
    ['field: not JSON', 'field:/confidence', [{ text: 'sorry' }], null, 'sorry'],
    ['samples: agreement and the majority answer', 'samples:5', ['a', 'b', 'b ', 'b', 'a'].map((text) => ({ text })), 0.6, 'b'],
    ['none', 'none', [{ text: 'x' }], null, 'x'],
  ])('%s', (_n, method, outputs, value, output) => {
    const c = extractConfidence(method, outputs);
    if (value === null) expect(c.value).toBeNull();
    else expect(c.value).toBeCloseTo(value, 10);
    expect(c.output).toBe(output);
  });
});

describe('dispositionOf', () => {
  it.each([
    [1, 0.9, 0.85, 'approval_required'],
    [2, 0.9, 0.85, 'auto'],
    [3, 0.9, 0.85, 'auto'],
    [1, 0.5, 0.85, 'review'],
    [2, 0.5, 0.85, 'review'],
    [3, 0.84, 0.85, 'review'],
    [3, 0.85, 0.85, 'auto'],
    [2, null, 0.85, 'review'],
    // No confidence is never auto, and goes to review with or without a threshold (more in tiers/disposition.test.ts).
    [2, null, undefined, 'review'],
    [1, null, undefined, 'review'],
  ] as const)('tier %s, confidence %s, threshold %s -> %s', (tier, c, t, d) => expect(dispositionOf(tier, c, t)).toBe(d));
});
