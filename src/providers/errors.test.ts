import { describe, expect, it } from 'vitest';
import { InternalError, InterruptedError, ProviderError, UsageError } from '../errors.js';
import { deadline, retryAfterMs, toProviderError } from './errors.js';

const NOW = Date.parse('2026-11-24T10:00:00Z');

describe('retryAfterMs', () => {
  it.each([
    [{ 'retry-after': '2' }, 2000],
    [{ 'retry-after': '0' }, 0],
    [{ 'retry-after': '0.5' }, 500],
    [{ 'retry-after-ms': '150', 'retry-after': '9' }, 150],
    [{ 'retry-after': 'Tue, 24 Nov 2026 10:00:03 GMT' }, 3000],
    [{ 'retry-after': 'Tue, 24 Nov 2026 09:00:00 GMT' }, 0],
    [{ 'retry-after': 'soon' }, undefined],
    [{}, undefined],
  ])('%j -> %s', (headers, expected) => {
    expect(retryAfterMs(new Headers(headers), NOW)).toBe(expected);
  });
});

// Shaped like what the SDKs throw; the real SDKs are exercised against the model server in the provider tests.
function apiError(status: number, error: unknown, headers: Record<string, string> = {}) {
  const message = error === undefined ? `${status} status code (no body)` : `${status} ${JSON.stringify(error)}`;
  return Object.assign(new Error(message), { status, error, headers: new Headers(headers) });
}

describe('toProviderError', () => {
  const ctx = { timeoutMs: 1000 };
  it.each([
    { name: '429 with Retry-After', err: apiError(429, { message: 'slow down' }, { 'retry-after': '3' }), kind: 'rate_limit', message: 'p rate limit reached (HTTP 429): slow down', retryAfterMs: 3000 },
    { name: '503', err: apiError(503, { message: 'overloaded' }), kind: 'server', message: 'p server error (HTTP 503): overloaded' },
    { name: '408', err: apiError(408, undefined), kind: 'timeout', message: 'p timed out the request (HTTP 408)' },
    { name: '403', err: apiError(403, { message: 'no access' }), kind: 'auth', message: 'p refused the credentials (HTTP 403): no access' },
    { name: '404', err: apiError(404, { message: 'no such model' }), kind: 'not_found', message: 'p does not know this model or endpoint (HTTP 404): no such model' },
    { name: 'Anthropic-style 400 body', err: apiError(400, { type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: required' } }), kind: 'bad_request', message: 'p rejected the request (HTTP 400): max_tokens: required' },
    { name: 'an object as the message', err: apiError(422, { message: { detail: 'bad field' } }), kind: 'bad_request', message: 'p rejected the request (HTTP 422): {"detail":"bad field"}' },
    { name: 'a reset socket', err: new Error('fetch failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }), kind: 'network', message: 'p connection failed: read ECONNRESET' },
    { name: 'a terminated body', err: new TypeError('terminated'), kind: 'network', message: 'p connection failed: terminated' },
    { name: 'an SDK timeout', err: Object.assign(new Error('Request timed out.'), { name: 'APIConnectionTimeoutError' }), kind: 'timeout', message: 'p did not answer within 1000 ms' },
    { name: 'unparseable JSON', err: new SyntaxError('Unexpected end of JSON input'), kind: 'malformed', message: 'p sent a response that is not valid JSON (Unexpected end of JSON input)' },
    { name: 'anything else', err: new Error('boom\n  at somewhere'), kind: 'malformed', message: 'p call failed: boom at somewhere' },
    { name: 'a thrown string', err: 'weird', kind: 'malformed', message: 'p call failed: weird' },
  ])('$name -> $kind', ({ err, kind, message, retryAfterMs: wait }) => {
    const e = toProviderError('p', err, ctx) as ProviderError;
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.kind).toBe(kind);
    expect(e.message).toBe(message);
    if (wait !== undefined) expect(e.retryAfterMs).toBe(wait);
  });

  it('hints at the key variable on an auth failure', () => {
    expect(toProviderError('p', apiError(401, { message: 'bad key' }), { ...ctx, keyEnv: 'MY_KEY' })).toMatchObject({ kind: 'auth', hint: 'check MY_KEY' });
  });

  it('a fired deadline is a timeout, whatever the SDK made of it', () => {
    expect(toProviderError('p', Object.assign(new Error('Request was aborted.'), { name: 'APIUserAbortError' }), { ...ctx, timedOut: true })).toMatchObject({ kind: 'timeout' });
  });

  it('an aborted caller is an interruption, or the AigovError it aborted with', () => {
    expect(toProviderError('p', new Error('aborted'), { ...ctx, signal: AbortSignal.abort() })).toBeInstanceOf(InterruptedError);
    const reason = new UsageError('stop');
    expect(toProviderError('p', new Error('aborted'), { ...ctx, signal: AbortSignal.abort(reason) })).toBe(reason);
  });

  it.each([
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'content')"), /^the p provider threw: TypeError: Cannot read properties of undefined \(reading 'content'\)$/],
    ['a RangeError', new RangeError('Invalid array length'), /^the p provider threw: RangeError: Invalid array length$/],
    ['a ReferenceError', new ReferenceError('x is not defined'), /^the p provider threw: ReferenceError: x is not defined$/],
  ])('%s thrown by code (no cause) is an internal error, not a malformed answer', (_n, err, message) => {
    const e = toProviderError('p', err, ctx);
    expect(e).toBeInstanceOf(InternalError);
    expect(e).toMatchObject({ code: 'E_INTERNAL', exitCode: 70 });
    expect(e.message).toMatch(message);
    expect(e.cause).toBe(err);
  });

  it('a TypeError that fetch threw for the wire (it has a cause) stays the provider’s', () => {
    const err = new TypeError('fetch failed', { cause: Object.assign(new Error('unexpected HTTP'), { code: 'HPE_INVALID_CONSTANT' }) });
    expect(toProviderError('p', err, ctx)).toMatchObject({ kind: 'network' });
    const odd = new TypeError('bad answer', { cause: new Error('a parser said no') });
    expect(toProviderError('p', odd, ctx)).toMatchObject({ kind: 'malformed' });
  });

  it('passes AigovErrors through', () => {
    const e = new ProviderError('exec', 'x');
    expect(toProviderError('p', e, ctx)).toBe(e);
  });
});

describe('deadline', () => {
  it('fires after the timeout and says so', async () => {
    const d = deadline(20);
    await new Promise((r) => d.signal.addEventListener('abort', r));
    expect(d.timedOut()).toBe(true);
    d.dispose();
  });

  it('follows the outer signal, and lets go of it when disposed', () => {
    const outer = new AbortController();
    const d = deadline(60_000, outer.signal);
    outer.abort();
    expect(d.signal.aborted).toBe(true);
    expect(d.timedOut()).toBe(false);
    d.dispose();
    const d2 = deadline(60_000, AbortSignal.abort());
    expect(d2.signal.aborted).toBe(true);
    d2.dispose();
  });
});
