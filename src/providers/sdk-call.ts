// What the two SDK-backed providers share: the API key from the environment, and
// one guard around every request (its own deadline, its errors as ProviderError).
import { ProviderError } from '../errors.js';
import { deadline, toProviderError } from './errors.js';
import type { CallOptions } from './types.js';

export function apiKeyFrom(env: Record<string, string | undefined>, keyEnv: string): string {
  const key = env[keyEnv];
  if (!key) throw new ProviderError('auth', `${keyEnv} is not set`, { hint: 'export it, put it in .env, or use --replay' });
  return key;
}

export type Guard = <T>(opts: CallOptions, fn: (signal: AbortSignal) => Promise<T>) => Promise<T>;

export function sdkGuard(provider: string, keyEnv: string): Guard {
  return async (opts, fn) => {
    const d = deadline(opts.timeoutMs, opts.signal);
    try {
      return await fn(d.signal);
    } catch (err) {
      throw toProviderError(provider, err, { timeoutMs: opts.timeoutMs, timedOut: d.timedOut(), signal: opts.signal, keyEnv });
    } finally {
      d.dispose();
    }
  };
}
