import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { InterruptedError, ProviderError } from '../errors.js';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { body, create } from './openai.js';
import type { ModelRequest, Provider, ProviderRuntime } from './types.js';

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
let warnings: string[] = [];
const RUNTIME: ProviderRuntime = { connections: 4, onWarning: (m) => warnings.push(m) };

beforeAll(async () => {
  server = await startModelServer({ aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' }, retryAfterSeconds: 1, models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'] } });
  provider = create({ name: 'openai', type: 'openai', baseURL: server.openaiBaseURL }, ENV, RUNTIME);
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.setAnswer(() => 'ok');
  warnings = [];
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
    expect(server.requests[0].body).toMatchObject({ response_format: { type: 'json_object' }, logprobs: true, top_logprobs: 1 });
  });

  it('sends exactly the prompt\'s messages: nothing is added for JSON, a schema or logprobs', () => {
    const schema = { name: 'ticket', schema: { type: 'object', required: ['a'] } };
    for (const extra of [{}, { json: true }, { json: true, schema }, { logprobs: true }, { json: true, schema: { ...schema, strict: true }, logprobs: true }]) {
      const b = body('m', { ...REQUEST, ...extra });
      expect(b.messages).toEqual(REQUEST.messages);
      expect(Object.keys(b).filter((k) => !['model', 'messages', 'temperature', 'max_tokens', 'seed'].includes(k)).sort()).toEqual(
        [...('json' in extra ? ['response_format'] : []), ...('logprobs' in extra ? ['logprobs', 'top_logprobs'] : [])].sort(),
      );
    }
    expect(body('m', { ...REQUEST, json: true, schema: { ...schema, strict: true } }).response_format).toEqual({ type: 'json_schema', json_schema: { name: 'ticket', schema: schema.schema, strict: true } });
    // A schema means nothing without `json`; a prompt's own top_logprobs wins.
    expect(body('m', { ...REQUEST, schema }).response_format).toBeUndefined();
    expect(body('m', { ...REQUEST, params: { top_logprobs: 3 }, logprobs: true })).toMatchObject({ top_logprobs: 3, logprobs: true });
  });

  it('asks for one logprob alternative a token, so a server that defaults to 20 sends one', async () => {
    const chatty = await startModelServer({ defaultTopLogprobs: 20, answer: () => 'a b c' });
    try {
      const p = create({ name: 'openai', type: 'openai', baseURL: chatty.openaiBaseURL }, ENV, RUNTIME);
      const res = await p.complete('m', { ...REQUEST, logprobs: true }, { timeoutMs: 5000 });
      expect(res.logprobs).toHaveLength(3);
      expect(chatty.requests[0].body.top_logprobs).toBe(1);
    } finally {
      await chatty.close();
    }
  });

  it('sends the output schema as json_schema, and falls back to json_object once a server refuses it, for the rest of the run', async () => {
    const strict = await startModelServer({ jsonSchema: 'refuse', answer: () => '{"a":1}' });
    try {
      const p = create({ name: 'local', type: 'openai', baseURL: strict.openaiBaseURL }, ENV, RUNTIME);
      const request: ModelRequest = { ...REQUEST, json: true, schema: { name: 'x', schema: { type: 'object' } } };
      expect((await p.complete('m1', request, { timeoutMs: 5000 })).text).toBe('{"a":1}');
      expect((await p.complete('m1', request, { timeoutMs: 5000 })).text).toBe('{"a":1}');
      expect((await p.complete('m2', request, { timeoutMs: 5000 })).text).toBe('{"a":1}');
      const formats = strict.requests.filter((r) => r.path.endsWith('/chat/completions')).map((r) => `${r.body.model} ${r.body.response_format.type}`);
      // m1 refuses once and is then asked for json_object only; m2 is asked on its own.
      expect(formats).toEqual(['m1 json_schema', 'm1 json_object', 'm1 json_object', 'm2 json_schema', 'm2 json_object']);
      expect(warnings).toEqual([expect.stringMatching(/^local: m1 does not take a JSON Schema as response_format/), expect.stringMatching(/^local: m2 /)]);
    } finally {
      await strict.close();
    }
    // A server that takes it gets it.
    const request: ModelRequest = { ...REQUEST, json: true, schema: { name: 'x', schema: { type: 'object' } } };
    await provider.complete('gpt-4o-mini', request, { timeoutMs: 5000 });
    expect(server.requests[0].body.response_format).toEqual({ type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } });
  });

  it('a 400 about something else than the schema is not retried as json_object', async () => {
    server.fail('400');
    const err = (await provider.complete('m', { ...REQUEST, json: true, schema: { name: 'x', schema: {} } }, { timeoutMs: 5000 }).catch((e: unknown) => e)) as ProviderError;
    expect(err).toMatchObject({ kind: 'bad_request', message: expect.stringContaining("Invalid value for 'temperature'") });
    expect(server.requests).toHaveLength(1);
    expect(warnings).toEqual([]);
    // The model was not marked as refusing schemas.
    await provider.complete('m', { ...REQUEST, json: true, schema: { name: 'x', schema: {} } }, { timeoutMs: 5000 });
    expect(server.requests[1].body.response_format.type).toBe('json_schema');
  });

  it('reports the model the server names, cached input tokens, truncation, and no fingerprint where none is sent', async () => {
    const llama = await startModelServer({ serveModel: 'llama-3.1-8b-instruct-q4', systemFingerprint: false, cachedTokens: { read: 50 }, enforceMaxTokens: true, answer: () => 'one two three' });
    try {
      const p = create({ name: 'openai', type: 'openai', baseURL: llama.openaiBaseURL }, ENV, RUNTIME);
      const res = await p.complete('gpt-4o-mini-2024-07-18', { ...REQUEST, params: { max_tokens: 2 } }, { timeoutMs: 5000 });
      expect(res).toMatchObject({ text: 'one two', modelReturned: 'llama-3.1-8b-instruct-q4', systemFingerprint: null, truncated: true, tokens: { input: 59, output: 2, cacheRead: 50 } });
      const whole = await p.complete('m', { ...REQUEST, params: { max_tokens: 20 } }, { timeoutMs: 5000 });
      expect(whole.truncated).toBeUndefined();
    } finally {
      await llama.close();
    }
  });

  it('reads gzip-compressed answers', async () => {
    const zipped = await startModelServer({ gzip: true, answer: () => 'compressed answer' });
    try {
      const p = create({ name: 'openai', type: 'openai', baseURL: zipped.openaiBaseURL }, ENV, RUNTIME);
      expect((await p.complete('m', REQUEST, { timeoutMs: 5000 })).text).toBe('compressed answer');
      expect(await p.listModels({ timeoutMs: 5000 })).toContain('gpt-4o-mini');
    } finally {
      await zipped.close();
    }
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
        create({ name: 'azure', type: 'openai', apiKeyEnv: 'AZURE_OPENAI_KEY' }, { OPENAI_API_KEY: 'set-but-not-used' }, RUNTIME);
      } catch (e) {
        return e as ProviderError;
      }
    })();
    expect(err).toBeInstanceOf(ProviderError);
    // No --replay in the hint: `pin` and the library have none.
    expect(err).toMatchObject({ kind: 'auth', message: 'AZURE_OPENAI_KEY is not set', hint: "export AZURE_OPENAI_KEY=... or put it in the workspace's .env" });
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
    const p = create({ name: 'openai', type: 'openai', baseURL }, ENV, RUNTIME);
    const err = (await p.complete('gpt-4o-mini', REQUEST, { timeoutMs: 2000 }).catch((e: unknown) => e)) as ProviderError;
    expect(err.kind).toBe('network');
    expect(err.message).toMatch(/^openai connection failed: .*ECONNREFUSED/);
  });
});
