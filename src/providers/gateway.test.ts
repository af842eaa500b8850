import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InterruptedError, ProviderError, UsageError } from '../errors.js';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { createGateway, type GatewayCall, type GatewayOptions } from './gateway.js';
import type { ModelRequest } from './types.js';

const MODEL = 'gpt-4o-mini-2024-07-18';
const REQUEST: ModelRequest = { messages: [{ role: 'user', content: 'Invoice: ACME Power' }], params: { temperature: 0 } };
const call = (over: Partial<GatewayCall> = {}): GatewayCall => ({ provider: 'openai', model: MODEL, request: REQUEST, sample: 0, group: 'invoice_classifier', ...over });

let server: ModelServer;
let root: string;
let waits: number[];

beforeAll(async () => {
  server = await startModelServer({ retryAfterSeconds: 1, models: { openai: ['gpt-4o-mini', MODEL], anthropic: ['claude-haiku-4-5-20251001'] } });
});
afterAll(() => server.close());
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'aigov-gateway-'));
  waits = [];
  server.requests.length = 0;
  server.setAnswer(({ messages }) => `answer to: ${messages[messages.length - 1].content}`);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function gateway(over: Partial<GatewayOptions> = {}) {
  return createGateway({
    root,
    providers: {
      openai: { name: 'openai', type: 'openai', baseURL: server.openaiBaseURL },
      anthropic: { name: 'anthropic', type: 'anthropic', baseURL: server.anthropicBaseURL },
      house: { name: 'house', type: 'exec', command: [process.execPath, '-e', 'process.stdout.write(process.cwd())'] },
    },
    env: { OPENAI_API_KEY: 'sk-test', ANTHROPIC_API_KEY: 'sk-ant-test' },
    mode: 'live',
    cache: false,
    retries: 4,
    timeoutMs: 5000,
    sleep: async (ms) => void waits.push(ms),
    ...over,
  });
}
const completions = () => server.requests.filter((r) => r.path.endsWith('/chat/completions') || r.path.endsWith('/messages')).length;

describe('gateway, live', () => {
  it('calls the provider once and says so', async () => {
    const res = await gateway().call(call());
    expect(res).toMatchObject({ source: 'live', attempts: 1, response: { text: 'answer to: Invoice: ACME Power', modelReturned: MODEL } });
    expect(completions()).toBe(1);
  });

  it('retries a 429 after the Retry-After wait', async () => {
    server.fail('429');
    const res = await gateway().call(call());
    expect(res.attempts).toBe(2);
    expect(waits).toEqual([1000]);
  });

  it('retries a 500 with a jittered backoff', async () => {
    server.fail('500');
    const res = await gateway().call(call());
    expect(res).toMatchObject({ attempts: 2, source: 'live' });
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(0);
    expect(waits[0]).toBeLessThan(500);
  });

  it('gives up on a hanging call after the timeout and retries', async () => {
    server.fail('hang');
    const started = Date.now();
    const res = await gateway({ timeoutMs: 300 }).call(call());
    expect(res.attempts).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(completions()).toBe(2);
  });

  it('retries a dropped connection', async () => {
    server.fail('drop');
    expect((await gateway().call(call())).attempts).toBe(2);
  });

  it('does not retry a malformed answer: it is reported as data with kind malformed', async () => {
    server.fail('malformed');
    const err = (await gateway().call(call()).catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe('malformed');
    expect(completions()).toBe(1);
  });

  it('throws the last retryable error once retries are exhausted', async () => {
    server.fail('500', 3);
    const err = (await gateway({ retries: 2 }).call(call()).catch((e: unknown) => e)) as ProviderError;
    expect(err).toMatchObject({ kind: 'server', retryable: true, status: 500, exitCode: 3 });
    expect(completions()).toBe(3);
    expect(waits).toHaveLength(2);
  });

  it('fails with an auth error, before any request, when the key is missing', async () => {
    const gw = gateway({ env: {} });
    const err = (await gw.call(call()).catch((e: unknown) => e)) as ProviderError;
    expect(err).toMatchObject({ kind: 'auth', message: 'OPENAI_API_KEY is not set' });
    expect(server.requests).toHaveLength(0);
  });

  it('checks every key before a run: one error naming the first missing variable, nothing sent', () => {
    const gw = gateway({ env: { ANTHROPIC_API_KEY: 'k' } });
    expect(() => gw.checkKeys!(['anthropic', 'house', 'openai', 'openai'])).toThrow(expect.objectContaining({ kind: 'auth', message: 'OPENAI_API_KEY is not set (provider "openai")' }));
    expect(() => gateway().checkKeys!(['anthropic', 'house', 'openai'])).not.toThrow();
    expect(() => gateway({ env: {}, mode: 'replay' }).checkKeys!(['openai'])).not.toThrow();
    expect(() => gateway().checkKeys!(['opnai'])).toThrow(UsageError);
    expect(server.requests).toHaveLength(0);
  });

  it('reads gzip-compressed answers, and still retries a 429 from such a server', async () => {
    const zipped = await startModelServer({ gzip: true, retryAfterSeconds: 1, answer: () => 'unzipped' });
    try {
      zipped.fail('429');
      const res = await gateway({ providers: { openai: { name: 'openai', type: 'openai', baseURL: zipped.openaiBaseURL } } }).call(call());
      expect(res).toMatchObject({ attempts: 2, response: { text: 'unzipped' } });
      expect(waits).toEqual([1000]);
    } finally {
      await zipped.close();
    }
  });

  it('passes the providers\' own notices to onWarning', async () => {
    const notices: string[] = [];
    await gateway({ onWarning: (m) => notices.push(m) }).call(call({ provider: 'anthropic', model: 'claude-sonnet-4-5' }));
    expect(notices).toEqual([expect.stringContaining('claude-sonnet-4-5 is deprecated')]);
  });

  it('stops at once when the caller aborts', async () => {
    server.fail('hang');
    const c = new AbortController();
    setTimeout(() => c.abort(), 50);
    await expect(gateway().call(call({ signal: c.signal }))).rejects.toBeInstanceOf(InterruptedError);
    expect(completions()).toBe(1);
  });

  it('serves many concurrent calls through one provider', async () => {
    const gw = gateway();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => gw.call(call({ sample: i, provider: i % 2 ? 'anthropic' : 'openai', model: i % 2 ? 'claude-haiku-4-5-20251001' : MODEL }))));
    expect(results.every((r) => r.source === 'live' && r.response.text.startsWith('answer to:'))).toBe(true);
  });

  it('runs exec providers in the workspace root', async () => {
    const res = await gateway().call(call({ provider: 'house', model: 'house-1' }));
    // The child reports its cwd with symlinks resolved.
    expect(res.response.text).toBe(realpathSync(root));
  });

  it('lists models of both providers', async () => {
    const gw = gateway();
    expect(await gw.listModels('openai')).toEqual(['gpt-4o-mini', MODEL]);
    expect(await gw.listModels('anthropic')).toEqual(['claude-haiku-4-5-20251001']);
    expect(await gw.listModels('house')).toBeNull();
  });

  it('names an unknown provider with a suggestion', async () => {
    const err = (await gateway().call(call({ provider: 'opnai' })).catch((e: unknown) => e)) as UsageError;
    expect(err).toBeInstanceOf(UsageError);
    expect(err.message).toBe('unknown provider "opnai"');
    expect(err.hint).toBe('did you mean "openai"?');
  });
});

describe('gateway, cache', () => {
  it('answers the second identical call from the cache, per sample', async () => {
    const gw = gateway({ cache: true });
    expect((await gw.call(call())).source).toBe('live');
    await gw.flush(); // cache writes land in the background; flush waits for them
    const again = await gateway({ cache: true }).call(call());
    expect(again).toMatchObject({ source: 'cache', attempts: 0, response: { text: 'answer to: Invoice: ACME Power' } });
    expect((await gw.call(call({ sample: 1 }))).source).toBe('live');
    expect(completions()).toBe(2);
    await gw.flush(); // before the folder is removed
  });

  it('never caches a failure', async () => {
    server.fail('malformed');
    const gw = gateway({ cache: true });
    await expect(gw.call(call())).rejects.toBeInstanceOf(ProviderError);
    expect((await gw.call(call())).source).toBe('live');
    await gw.flush();
    expect((await gw.call(call())).source).toBe('cache');
  });

  it('is bypassed when off', async () => {
    const gw = gateway({ cache: true });
    await gw.call(call());
    await gw.flush();
    expect((await gateway({ cache: false }).call(call())).source).toBe('live');
  });
});

describe('gateway, record and replay', () => {
  it('records every live answer, and replay then answers from the file without a key or a server', async () => {
    const recorder = gateway({ mode: 'record', cache: true });
    await recorder.call(call());
    await recorder.call(call({ sample: 1 }));
    await recorder.call(call({ group: 'judge', request: { ...REQUEST, messages: [{ role: 'user', content: 'Grade it' }] } }));
    expect(existsSync(join(root, 'fixtures'))).toBe(false);
    await recorder.flush();
    expect(readFileSync(join(root, 'fixtures', 'invoice_classifier.yaml'), 'utf8')).toContain('sample: 1');
    expect(readFileSync(join(root, 'fixtures', 'judge.yaml'), 'utf8')).toContain('Grade it');

    server.requests.length = 0;
    const player = gateway({ mode: 'replay', env: {}, providers: { openai: { name: 'openai', type: 'openai', baseURL: 'http://127.0.0.1:1/v1' } } });
    expect(await player.call(call({ sample: 1 }))).toMatchObject({ source: 'replay', attempts: 0, response: { text: 'answer to: Invoice: ACME Power' } });
    expect((await player.call(call({ group: 'judge', request: { ...REQUEST, messages: [{ role: 'user', content: 'Grade it' }] } }))).response.text).toBe('answer to: Grade it');
    expect(server.requests).toHaveLength(0);
  });

  it('a replay miss is a clear no_recording error', async () => {
    const err = (await gateway({ mode: 'replay', env: {} }).call(call({ sample: 4 })).catch((e: unknown) => e)) as ProviderError;
    expect(err).toMatchObject({ kind: 'no_recording', retryable: false });
    expect(err.message).toBe(`no recording for prompt "invoice_classifier" (openai ${MODEL}, sample 4) in fixtures/invoice_classifier.yaml`);
    await expect(gateway({ mode: 'replay' }).listModels('openai')).rejects.toMatchObject({ kind: 'no_recording' });
  });

  it('record mode calls the model even when the cache has the answer', async () => {
    const first = gateway({ cache: true });
    await first.call(call());
    await first.flush();
    server.setAnswer(() => 'fresh');
    const recorder = gateway({ mode: 'record', cache: true });
    expect((await recorder.call(call())).response.text).toBe('fresh');
    await recorder.flush();
    expect((await gateway({ mode: 'replay' }).call(call())).response.text).toBe('fresh');
    expect((await gateway({ cache: true }).call(call())).response.text).toBe('fresh');
  });

  it('flush is a no-op outside record mode', async () => {
    writeFileSync(join(root, 'marker'), '');
    await gateway().flush();
    await gateway({ mode: 'replay' }).flush();
    expect(existsSync(join(root, 'fixtures'))).toBe(false);
  });
});
