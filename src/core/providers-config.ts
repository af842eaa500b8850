// Provider declarations from aigov.yaml with their defaults applied.
import type { ProviderSettings } from '../providers/types.js';
import type { Config } from './workspace/schemas.js';
import { providerNames } from './workspace/rules.js';

export function providerSettings(config: Config, root: string): Record<string, ProviderSettings> {
  const out: Record<string, ProviderSettings> = {};
  for (const name of providerNames(config)) {
    const decl = config.providers?.[name] ?? {};
    const type = decl.type ?? (name === 'anthropic' ? 'anthropic' : name === 'openai' ? 'openai' : 'exec');
    out[name] = { name, type, baseURL: decl.baseURL, apiKeyEnv: decl.apiKeyEnv, command: decl.command, cwd: root };
  }
  return out;
}

export const DEFAULTS = { concurrency: 16, timeoutMs: 60_000, retries: 4 } as const;

export function runDefaults(config: Config): { concurrency: number; timeoutMs: number; retries: number } {
  return { ...DEFAULTS, ...config.defaults };
}
