import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InterruptedError, ProviderError } from '../errors.js';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { create } from './openai.js';
import type { ModelRequest, Provider } from './types.js';

const ENV = { OPENAI_API_KEY: 'sk-test' };
const REQUEST: ModelRequest = {
  messages: [
    { role: 'system', content: 'Answer with one word.' },
    { role: 'user', content: 'Invoice: ACME Power, 420 kWh' },
  ],
  params: { temperature: 0, max_tokens: 20, seed: 7 },
};

let server: ModelServer;
let provider: Provider;

beforeAll(async () => {
  server = await startModelServer({ aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' }, retryAfterSeconds: 1, models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'] } });
  provider = create({ name: 'openai', type: 'openai', baseURL: server.openaiBaseURL }, ENV);
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.setAnswer(() => 'ok');
});

describe('openai provider', () => {
  it('sends the chat request and maps the answer', async () => {
    server.setAnswer(({ messages }) => `utilities (${messages.length} messages)`);
    const res = await provider.complete('gpt-4o-mini', REQUEST, { timeoutMs: 5000 });
    expect(res).toMatchObject({
      text: 'utilities (2 messages)',
      modelReturned: 'gpt-4o-mini-2024-07-18',
      tokens: { input: 9, output: 3 },
      logprobs: null,
    });
    expect(res.systemFingerprint).toMatch(/^fp_/);
    expect(res.latencyMs).toBeGreaterThanOrEqual(0);
    const sent = server.requests[0];
    expect(sent.path).toBe('/openai/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body).toEqual({ model: 'gpt-4o-mini', messages: REQUEST.messages, temperature: 0, max_tokens: 20, seed: 7 });
  });

  it('asks for a JSON object and for logprobs', async () => {
    server.setAnswer(() => ({ text: '{"category":"travel"}', logprobs: [{ token: '{"category":"travel"}', logprob: -0.05 }] }));
    const res = await provider.complete('gpt-4o-mini', { ...REQUEST, json: true, logprobs: true }, { timeoutMs: 5000 });
    expect(res.text).toBe('{"category":"travel"}');
    expect(res.logprobs).toEqual([{ token: '{"category":"travel"}', logprob: -0.05 }]);
    expect(server.requests[0].body).toMatchObject({ response_format: { type: 'json_object' }, logprobs: true });
  });

  it('passes on the per-token logprobs the server synthesizes', async () => {
    server.setAnswer(() => 'two words');
    const res = await provider.complete('gpt-4o-mini', { ...REQUEST, logprobs: true }, { timeoutMs: 5000 });
    expect(res.logprobs).toEqual([
      { token: 'two', logprob: 0 },
      { token: ' words', logprob: 0 },
    ]);
  });

  it('lists models', async () => {
    expect(await provider.listModels({ timeoutMs: 5000 })).toEqual(['gpt-4o-mini', 'gpt-4o-mini-2024-07-18']);
  });

  const faults: { fault: Parameters<ModelServer['fail']>[0]; kind: string; retryable: boolean; message: RegExp; retryAfterMs?: number }[] = [
    { fault: '429', kind: 'rate_limit', retryable: true, message: /^openai rate limit reached \(HTTP 429\): Rate limit reached/, retryAfterMs: 1000 },
    { fault: '500', kind: 'server', retryable: true, message: /^openai server error \(HTTP 500\): The server had an error/ },
    { fault: 'hang', kind: 'timeout', retryable: true, message: /^openai did not answer within 300 ms$/ },
    { fault: 'drop', kind: 'network', retryable: true, message: /^openai connection failed: / },
    { fault: 'malformed', kind: 'malformed', retryable: false, message: /^openai sent a response that is not valid JSON/ },
    { fault: '401', kind: 'auth', retryable: false, message: /^openai refused the credentials \(HTTP 401\): Incorrect API key/ },
    { fault: '404', kind: 'not_found', retryable: false, message: /^openai does not know this model or endpoint \(HTTP 404\)/ },
  ];
  it.each(faults)('maps the $fault fault to $kind', async ({ fault, kind, retryable, message, retryAfterMs }) => {
    server.fail(fault);
    const err = (await provider.complete('gpt-4o-mini', REQUEST, { timeoutMs: 300 }).catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe(kind);
    expect(err.retryable).toBe(retryable);
    expect(err.message).toMatch(message);
    expect(err.message).not.toContain('[object Object]');
    if (retryAfterMs !== undefined) expect(err.retryAfterMs).toBe(retryAfterMs);
    // The server is fine afterwards.
    expect((await provider.complete('gpt-4o-mini', REQUEST, { timeoutMs: 5000 })).text).toBe('ok');
  });

  it('names the key variable when it is missing', () => {
    const err = (() => {
      try {
        create({ name: 'azure', type: 'openai', apiKeyEnv: 'AZURE_OPENAI_KEY' }, { OPENAI_API_KEY: 'set-but-not-used' });
      } catch (e) {
        return e as ProviderError;
      }
    })();
    expect(err).toBeInstanceOf(ProviderError);
    expect(err).toMatchObject({ kind: 'auth', message: 'AZURE_OPENAI_KEY is not set', hint: 'export it, put it in .env, or use --replay' });
  });

  it('an abort by the caller is an interruption, not a provider failure', async () => {
    server.fail('hang');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const err = await provider.complete('gpt-4o-mini', REQUEST, { timeoutMs: 5000, signal: controller.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InterruptedError);
  });

  it('a refused connection is a network error', async () => {
    const gone = await startModelServer();
    const baseURL = gone.openaiBaseURL;
    await gone.close();
    const p = create({ name: 'openai', type: 'openai', baseURL }, ENV);
    const err = (await p.complete('gpt-4o-mini', REQUEST, { timeoutMs: 2000 }).catch((e: unknown) => e)) as ProviderError;
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/^openai connection failed: .*ECONNREFUSED/);
  });
});
