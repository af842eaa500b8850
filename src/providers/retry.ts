// Exponential backoff with full jitter (a random wait between 0 and the capped
// exponential), so many concurrent callers that failed together do not retry together.
// Only transient provider failures are retried (429, 5xx, timeouts, resets); a server's
// Retry-After wins over the formula. A malformed body is not retried: it is more often a
// proxy or server bug than a blip, so it is reported at once as a failed case.
import { ProviderError } from '../errors.js';
import { abortReason } from './errors.js';

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface RetryOptions {
  /** Retries after the first attempt: 0 means one attempt. */
  retries: number;
  baseMs?: number;
  maxMs?: number;
  sleep?: Sleep;
  random?: () => number;
  signal?: AbortSignal;
  onRetry?: (err: ProviderError, waitMs: number, n: number) => void;
}

/** A server asking for longer than this is not waited on in full; the retry then likely fails again, visibly. */
export const MAX_RETRY_AFTER_MS = 60_000;

export async function withRetries<T>(attempt: (n: number) => Promise<T>, opts: RetryOptions): Promise<{ value: T; attempts: number }> {
  const sleep = opts.sleep ?? sleepFor;
  const random = opts.random ?? Math.random;
  for (let n = 1; ; n++) {
    if (opts.signal?.aborted) throw abortReason(opts.signal);
    try {
      return { value: await attempt(n), attempts: n };
    } catch (err) {
      if (opts.signal?.aborted) throw abortReason(opts.signal);
      if (!(err instanceof ProviderError) || !err.retryable || n > opts.retries) throw err;
      const waitMs = backoffMs(n, err, { baseMs: opts.baseMs, maxMs: opts.maxMs, random });
      opts.onRetry?.(err, waitMs, n);
      await sleep(waitMs, opts.signal);
    }
  }
}

/** The wait before retry number `n` (1-based). */
export function backoffMs(n: number, err: ProviderError, opts: { baseMs?: number; maxMs?: number; random: () => number }): number {
  if (err.retryAfterMs !== undefined && Number.isFinite(err.retryAfterMs)) {
    return Math.min(Math.max(0, err.retryAfterMs), MAX_RETRY_AFTER_MS);
  }
  const base = opts.baseMs ?? 500;
  const max = opts.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** (n - 1));
  return Math.floor(opts.random() * ceiling);
}

/** A timer that ends early, rejecting, when the signal aborts. */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
