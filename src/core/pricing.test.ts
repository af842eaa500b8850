import { describe, expect, it } from 'vitest';
import { costUsd, sumTokens } from './pricing.js';
import type { Config } from './workspace/schemas.js';

const config: Config = {
  version: 1,
  models: {},
  pricing: {
    'claude-x': { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    'anthropic:claude-y': { input: 1, output: 5 },
    'gpt-x': { input: 2, output: 8, cacheRead: 0.5 },
  },
};

describe('costUsd', () => {
  it.each([
    ['plain input and output', 'anthropic', 'claude-x', { input: 1_000_000, output: 1_000_000 }, 18],
    ['cached reads and writes priced apart', 'anthropic', 'claude-x', { input: 1_000_000, output: 0, cacheRead: 600_000, cacheWrite: 200_000 }, 0.2 * 3 + 0.6 * 0.3 + 0.2 * 3.75],
    ['no cache prices: cached input is input', 'anthropic', 'claude-y', { input: 1_000_000, output: 0, cacheRead: 500_000, cacheWrite: 500_000 }, 1],
    ['only cacheRead given: writes are input', 'openai', 'gpt-x', { input: 1_000_000, output: 0, cacheRead: 250_000, cacheWrite: 250_000 }, 0.75 * 2 + 0.25 * 0.5],
    ['provider:model wins over model', 'anthropic', 'claude-y', { input: 2_000_000, output: 0 }, 2],
  ])('%s', (_n, provider, model, tokens, usd) => {
    expect(costUsd(config, provider, model, tokens)).toBeCloseTo(usd, 10);
  });

  it('is null for an unpriced model', () => {
    expect(costUsd(config, 'openai', 'other', { input: 1, output: 1 })).toBeNull();
  });

  it('never prices below zero when the cache parts exceed the input a server reported', () => {
    expect(costUsd(config, 'anthropic', 'claude-x', { input: 10, output: 0, cacheRead: 20 })).toBeCloseTo((20 * 0.3) / 1e6, 12);
  });
});

describe('sumTokens', () => {
  it.each([
    [[], { input: 0, output: 0 }],
    [[{ input: 1, output: 2 }, { input: 3, output: 4 }], { input: 4, output: 6 }],
    [[{ input: 10, output: 1, cacheRead: 4 }, { input: 10, output: 1, cacheWrite: 6 }, { input: 5, output: 1, cacheRead: 1 }], { input: 25, output: 3, cacheRead: 5, cacheWrite: 6 }],
  ])('%j', (all, total) => expect(sumTokens(all)).toEqual(total));
});
