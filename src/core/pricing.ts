import type { Config } from './workspace/schemas.js';

/** USD for a call, from `pricing` (per million tokens) keyed by `provider:model` or `model`; null when unpriced. */
export function costUsd(config: Config, provider: string, model: string, tokens: { input: number; output: number }): number | null {
  const price = config.pricing?.[`${provider}:${model}`] ?? config.pricing?.[model];
  if (!price) return null;
  return (tokens.input * price.input + tokens.output * price.output) / 1_000_000;
}
