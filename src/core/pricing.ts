import type { Config } from './workspace/schemas.js';

/** Token counts as the providers report them: `cacheRead` and `cacheWrite` are parts of `input`. */
export interface PricedTokens {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

/**
 * USD for a call, from `pricing` (per million tokens) keyed by `provider:model` or `model`;
 * null when unpriced. Cached input is priced at `cacheRead` / `cacheWrite` where given,
 * else as ordinary input.
 */
export function costUsd(config: Config, provider: string, model: string, tokens: PricedTokens): number | null {
  const price = config.pricing?.[`${provider}:${model}`] ?? config.pricing?.[model];
  if (!price) return null;
  const read = tokens.cacheRead ?? 0;
  const write = tokens.cacheWrite ?? 0;
  const plain = Math.max(0, tokens.input - read - write);
  return (plain * price.input + read * (price.cacheRead ?? price.input) + write * (price.cacheWrite ?? price.input) + tokens.output * price.output) / 1_000_000;
}

/** Tokens of several answers (samples) added up, cache parts included where any answer has them. */
export function sumTokens(all: readonly PricedTokens[]): PricedTokens {
  const t: PricedTokens = { input: 0, output: 0 };
  for (const x of all) {
    t.input += x.input;
    t.output += x.output;
    if (x.cacheRead) t.cacheRead = (t.cacheRead ?? 0) + x.cacheRead;
    if (x.cacheWrite) t.cacheWrite = (t.cacheWrite ?? 0) + x.cacheWrite;
  }
  return t;
}
