// What the two SDK-backed providers share: the API key from the environment, one
// guard around every request (its own deadline, its errors as ProviderError), and
// silence: nothing an SDK would print may reach aigov's own stdout or stderr.
import { ProviderError } from '../errors.js';
import { deadline, toProviderError } from './errors.js';
import type { CallOptions } from './types.js';

export function apiKeyFrom(env: Record<string, string | undefined>, keyEnv: string): string {
  const key = env[keyEnv];
  if (!key) throw missingKey(keyEnv);
  return key;
}

/** One sentence for every command: `eval` adds its own hint about --replay, `pin` has none. */
export function missingKey(keyEnv: string, provider?: string, hint?: string): ProviderError {
  const whose = provider ? ` (provider "${provider}")` : '';
  return new ProviderError('auth', `${keyEnv} is not set${whose}`, { hint: hint ?? `export ${keyEnv}=... or put it in the workspace's .env` });
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

const ignore = (): void => {};
/** The SDKs' logger, switched off whatever OPENAI_LOG or ANTHROPIC_LOG say. */
export const SILENT = { logLevel: 'off' as const, logger: { error: ignore, warn: ignore, info: ignore, debug: ignore } };

/**
 * Runs `start` with console.warn captured. An SDK's notices that bypass its logger
 * (Anthropic's deprecated-model warning) are printed synchronously while a request
 * is being built, so swapping console.warn for that synchronous stretch catches
 * them and nothing else.
 */
export function capturingWarnings<T>(start: () => T, onWarning: (text: string) => void): T {
  const original = console.warn;
  console.warn = (...args: unknown[]) => onWarning(args.map(String).join(' '));
  try {
    return start();
  } finally {
    console.warn = original;
  }
}
