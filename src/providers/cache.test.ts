import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDir, createResponseCache } from './cache.js';
import { requestKey } from './request-key.js';
import type { ModelRequest, ModelResponse } from './types.js';

const REQUEST: ModelRequest = { messages: [{ role: 'user', content: 'hi' }], params: { temperature: 0 } };
const RESPONSE: ModelResponse = { text: 'ok', modelReturned: 'gpt-x-2024-01-01', systemFingerprint: 'fp_1', tokens: { input: 1, output: 1 }, latencyMs: 12, logprobs: null };

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aigov-cache-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('response cache', () => {
  it('round-trips a response in a two-character fan-out folder', async () => {
    const cache = createResponseCache(root);
    const key = requestKey('openai', 'gpt-x-2024-01-01', REQUEST, 0);
    expect(await cache.get(key)).toBeNull();
    await cache.put(key, RESPONSE);
    expect(readdirSync(join(cacheDir(root), key.slice(0, 2)))).toEqual([`${key}.json`]);
    expect(await createResponseCache(root).get(key)).toEqual(RESPONSE);
  });

  it('reads a corrupt or foreign entry as a miss', async () => {
    const cache = createResponseCache(root);
    const key = requestKey('openai', 'm', REQUEST, 1);
    const path = join(cacheDir(root), key.slice(0, 2), `${key}.json`);
    mkdirSync(join(cacheDir(root), key.slice(0, 2)), { recursive: true });
    for (const text of ['{"version":1,', JSON.stringify({ version: 1, key, response: { text: 5 } }), JSON.stringify({ version: 1, key: 'ab', response: RESPONSE }), JSON.stringify({ version: 99, key, response: RESPONSE })]) {
      writeFileSync(path, text);
      expect(await cache.get(key)).toBeNull();
    }
  });

  it('keys differ by provider, model, request and sample', () => {
    const keys = new Set([
      requestKey('openai', 'm', REQUEST, 0),
      requestKey('anthropic', 'm', REQUEST, 0),
      requestKey('openai', 'm2', REQUEST, 0),
      requestKey('openai', 'm', { ...REQUEST, json: true }, 0),
      requestKey('openai', 'm', REQUEST, 1),
    ]);
    expect(keys.size).toBe(5);
    // Key order inside the request does not matter: the key is over canonical JSON.
    expect(requestKey('openai', 'm', { params: { temperature: 0 }, messages: REQUEST.messages }, 0)).toBe(requestKey('openai', 'm', REQUEST, 0));
  });

  it('refuses a key that is not a digest, so no path can escape the cache folder', async () => {
    const cache = createResponseCache(root);
    expect(() => cache.put('../../etc/passwd', RESPONSE)).toThrow(/hex digest/);
    expect(existsSync(cacheDir(root))).toBe(false);
  });
});
