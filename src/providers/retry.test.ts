import { describe, expect, it } from 'vitest';
import { InterruptedError, ProviderError, UsageError, type ProviderErrorKind } from '../errors.js';
import { backoffMs, MAX_RETRY_AFTER_MS, sleepFor, withRetries } from './retry.js';

type Outcome = 'ok' | ProviderErrorKind | { kind: ProviderErrorKind; retryAfterMs: number } | 'usage';

function script(outcomes: Outcome[]) {
  const calls: number[] = [];
  const attempt = async (n: number) => {
    calls.push(n);
    const o = outcomes[n - 1] ?? 'ok';
    if (o === 'ok') return `value ${n}`;
    if (o === 'usage') throw new UsageError('bad input');
    if (typeof o === 'string') throw new ProviderError(o, `failed: ${o}`);
    throw new ProviderError(o.kind, 'failed', { retryAfterMs: o.retryAfterMs });
  };
  return { attempt, calls };
}

function fakeSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

describe('withRetries', () => {
  const table: { name: string; outcomes: Outcome[]; retries: number; attempts: number; waits: number[]; error?: ProviderErrorKind | 'usage' }[] = [
    { name: 'first attempt succeeds', outcomes: ['ok'], retries: 4, attempts: 1, waits: [] },
    { name: '500 then success', outcomes: ['server', 'ok'], retries: 4, attempts: 2, waits: [50] },
    { name: 'backoff doubles under full jitter', outcomes: ['server', 'network', 'timeout', 'ok'], retries: 4, attempts: 4, waits: [50, 100, 200] },
    { name: 'Retry-After wins over the formula', outcomes: [{ kind: 'rate_limit', retryAfterMs: 1000 }, 'ok'], retries: 4, attempts: 2, waits: [1000] },
    { name: 'Retry-After 0 retries at once', outcomes: [{ kind: 'rate_limit', retryAfterMs: 0 }, 'ok'], retries: 4, attempts: 2, waits: [0] },
    { name: 'Retry-After is capped', outcomes: [{ kind: 'rate_limit', retryAfterMs: 3_600_000 }, 'ok'], retries: 4, attempts: 2, waits: [MAX_RETRY_AFTER_MS] },
    { name: 'rate limit without Retry-After backs off', outcomes: ['rate_limit', 'ok'], retries: 4, attempts: 2, waits: [50] },
    { name: 'exhausted retries throw the last error', outcomes: ['server', 'server', 'server'], retries: 2, attempts: 3, waits: [50, 100], error: 'server' },
    { name: 'retries 0 is one attempt', outcomes: ['network'], retries: 0, attempts: 1, waits: [], error: 'network' },
    { name: 'auth is not retried', outcomes: ['auth'], retries: 4, attempts: 1, waits: [], error: 'auth' },
    { name: 'bad request is not retried', outcomes: ['bad_request'], retries: 4, attempts: 1, waits: [], error: 'bad_request' },
    { name: 'malformed is not retried', outcomes: ['malformed'], retries: 4, attempts: 1, waits: [], error: 'malformed' },
    { name: 'a missing recording is not retried', outcomes: ['no_recording'], retries: 4, attempts: 1, waits: [], error: 'no_recording' },
    { name: 'non-provider errors pass through', outcomes: ['usage'], retries: 4, attempts: 1, waits: [], error: 'usage' },
  ];

  it.each(table)('$name', async ({ outcomes, retries, attempts, waits, error }) => {
    const { attempt, calls } = script(outcomes);
    const s = fakeSleep();
    const run = withRetries(attempt, { retries, baseMs: 100, maxMs: 10_000, sleep: s.sleep, random: () => 0.5 });
    if (error) {
      const err = await run.catch((e: unknown) => e);
      if (error === 'usage') expect(err).toBeInstanceOf(UsageError);
      else expect((err as ProviderError).kind).toBe(error);
    } else {
      expect(await run).toEqual({ value: `value ${attempts}`, attempts });
    }
    expect(calls).toEqual(Array.from({ length: attempts }, (_, i) => i + 1));
    expect(s.waits).toEqual(waits);
  });

  it('reports every retry before waiting', async () => {
    const { attempt } = script(['server', { kind: 'rate_limit', retryAfterMs: 7 }, 'ok']);
    const seen: [ProviderErrorKind, number, number][] = [];
    await withRetries(attempt, { retries: 4, baseMs: 10, sleep: async () => {}, random: () => 1, onRetry: (e, w, n) => seen.push([e.kind, w, n]) });
    expect(seen).toEqual([
      ['server', 10, 1],
      ['rate_limit', 7, 2],
    ]);
  });

  it('caps the exponential at maxMs', () => {
    const err = new ProviderError('server', 'x');
    expect(backoffMs(20, err, { baseMs: 500, maxMs: 8000, random: () => 0.999 })).toBe(7992);
    expect(backoffMs(3, err, { baseMs: 500, random: () => 0 })).toBe(0);
  });

  it('stops at once when the signal aborts while waiting', async () => {
    const controller = new AbortController();
    const { attempt, calls } = script(['server', 'server', 'ok']);
    const started = Date.now();
    const run = withRetries(attempt, { retries: 4, baseMs: 60_000, random: () => 1, signal: controller.signal });
    setTimeout(() => controller.abort(), 20);
    await expect(run).rejects.toBeInstanceOf(InterruptedError);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(calls).toEqual([1]);
  });

  it('does not start when the signal is already aborted, and rethrows an AigovError reason as is', async () => {
    const reason = new UsageError('stopped by the engine');
    const { attempt, calls } = script(['ok']);
    await expect(withRetries(attempt, { retries: 4, signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
    expect(calls).toEqual([]);
  });

  it('sleepFor waits and can be cut short', async () => {
    const t0 = Date.now();
    await sleepFor(15);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(10);
    const c = new AbortController();
    const p = sleepFor(60_000, c.signal);
    c.abort();
    await expect(p).rejects.toBeInstanceOf(InterruptedError);
  });
});
