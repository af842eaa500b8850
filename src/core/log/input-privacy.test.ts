import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashOf } from '../canonical.js';
import { checkInputKey, inputFingerprint, redactInput } from './input-privacy.js';

const KEY = 'k'.repeat(32);

describe('inputFingerprint', () => {
  it('is the sha256 of the canonical JSON without a key (what inputSha256 was)', () => {
    expect(inputFingerprint({ b: 1, a: 'x' })).toEqual({ alg: 'sha256', value: hashOf({ a: 'x', b: 1 }) });
  });

  it('is an HMAC-SHA256 under the key with one, over the same canonical JSON', () => {
    const fp = inputFingerprint({ email: 'ann@example.com' }, KEY);
    expect(fp).toEqual({ alg: 'hmac-sha256', value: createHmac('sha256', KEY).update('{"email":"ann@example.com"}').digest('hex') });
    expect(fp.value).not.toBe(hashOf({ email: 'ann@example.com' }));
    expect(inputFingerprint({ email: 'ann@example.com' }, 'j'.repeat(32)).value).not.toBe(fp.value);
  });

  it('refuses a key too short to be secret, and takes none for an empty one', () => {
    expect(() => checkInputKey('short')).toThrow(expect.objectContaining({ code: 'E_INPUT_KEY', exitCode: 2 }));
    expect(checkInputKey('')).toBeUndefined();
    expect(checkInputKey(undefined)).toBeUndefined();
    expect(checkInputKey(KEY)).toBe(KEY);
  });
});

describe('redactInput', () => {
  const input = { text: 'pay DE89370400440532013000 for ann@example.com', note: 'Zürich "quoted"', n: 42, tag: 'VIP' };
  it.each([
    ['a whole echo', 'bad request: pay DE89370400440532013000 for ann@example.com', 'bad request: [input]'],
    ['a truncated echo', "invalid value 'pay DE8937040…'", "invalid value '[input]…'"],
    ['an echo of one part', 'unknown account DE89370400440532013000', 'unknown account[input]'],
    ['a JSON-escaped echo', 'body: {"note":"Zürich \\"quoted\\""}', 'body: {"note":"[input]"}'],
    ['a short value standing alone', 'tier VIP not allowed, code 42', 'tier [input] not allowed, code [input]'],
    ['a short value inside a longer word or number is left', 'VIPER 4242 HTTP 420', 'VIPER 4242 HTTP 420'],
    ['a message that quotes nothing', 'connect ECONNREFUSED 127.0.0.1:443', 'connect ECONNREFUSED 127.0.0.1:443'],
  ])('%s', (_n, message, expected) => {
    expect(redactInput(message, input)).toBe(expected);
  });

  it('leaves no run of 6 characters of the input anywhere in the message', () => {
    const secret = 'ann.bauer+invoices@example.com';
    const message = `x${secret.slice(3, 20)}y${secret.slice(10)}z${secret}`;
    const out = redactInput(message, { to: secret });
    for (let i = 0; i + 6 <= secret.length; i++) expect(out).not.toContain(secret.slice(i, i + 6));
  });

  it('reads a long input once (a 5 MB document against a short message)', () => {
    const doc = 'lorem ipsum dolor sit amet '.repeat(200_000);
    const t0 = performance.now();
    expect(redactInput('failed at: dolor sit amet, see log', { doc })).toBe('failed at:[input], see log');
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
