import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../errors.js';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { body, create, DEFAULT_MAX_TOKENS } from './anthropic.js';
import type { ModelRequest, Provider, ProviderRuntime } from './types.js';

const MODEL = 'claude-haiku-4-5';
const REQUEST: ModelRequest = {
  messages: [
    { role: 'system', content: 'You sort invoices.' },
    { role: 'system', content: 'Answer with one word.' },
    { role: 'user', content: 'Invoice: train ticket' },
  ],
  params: { temperature: 0 },
};
const MODELS = Array.from({ length: 45 }, (_, i) => `claude-test-${String(i).padStart(2, '0')}-20250101`);

let server: ModelServer;
let provider: Provider;
let warnings: string[] = [];
const RUNTIME: ProviderRuntime = { connections: 4, onWarning: (m) => warnings.push(m) };

beforeAll(async () => {
  server = await startModelServer({ aliases: { [MODEL]: 'claude-haiku-4-5-20251001' }, models: { anthropic: MODELS } });
  provider = create({ name: 'anthropic', type: 'anthropic', baseURL: server.anthropicBaseURL }, { ANTHROPIC_API_KEY: 'sk-ant-test' }, RUNTIME);
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.setAnswer(() => 'ok');
  warnings = [];
});

describe('anthropic provider', () => {
  it('sends system messages as `system`, defaults max_tokens, and maps the answer', async () => {
    server.setAnswer(({ messages }) => `travel; system was: ${messages[0].content}`);
    const res = await provider.complete(MODEL, REQUEST, { timeoutMs: 5000 });
    expect(res).toMatchObject({
      text: 'travel; system was: You sort invoices.\n\nAnswer with one word.',
      modelReturned: 'claude-haiku-4-5-20251001',
      systemFingerprint: null,
      logprobs: null,
    });
    expect(res.tokens.input).toBeGreaterThan(0);
    expect(res.tokens.output).toBe(10);
    const sent = server.requests[0];
    expect(sent.path).toBe('/anthropic/v1/messages');
    expect(`${sent.headers['x-api-key'] ?? ''} ${sent.headers.authorization ?? ''}`).toContain('sk-ant-test');
    expect(sent.body).toEqual({
      model: MODEL,
      max_tokens: DEFAULT_MAX_TOKENS,
      temperature: 0,
      system: 'You sort invoices.\n\nAnswer with one word.',
      messages: [{ role: 'user', content: 'Invoice: train ticket' }],
    });
  });

  it('keeps an explicit max_tokens, turns `stop` into stop_sequences, and adds no text for JSON', () => {
    const schema = { name: 'x', schema: { type: 'object' } };
    const b = body(MODEL, { messages: [{ role: 'user', content: 'x' }], params: { max_tokens: 50, stop: 'END' }, json: true, schema, logprobs: true });
    expect(b).toEqual({ model: MODEL, max_tokens: 50, stop_sequences: ['END'], messages: [{ role: 'user', content: 'x' }] });
  });

  it('answers JSON requests over the wire, without logprobs, sending the prompt\'s own words only', async () => {
    server.setAnswer(() => '{"category":"travel"}');
    const res = await provider.complete(MODEL, { ...REQUEST, json: true, logprobs: true }, { timeoutMs: 5000 });
    expect(res.text).toBe('{"category":"travel"}');
    expect(res.logprobs).toBeNull();
    expect(server.requests[0].body.system).toBe('You sort invoices.\n\nAnswer with one word.');
  });

  it('counts cached input as input, and reports its parts; marks an answer cut at max_tokens', async () => {
    const cached = await startModelServer({ cachedTokens: { read: 300, write: 120 }, enforceMaxTokens: true, answer: () => 'a b c d e' });
    try {
      const p = create({ name: 'anthropic', type: 'anthropic', baseURL: cached.anthropicBaseURL }, { ANTHROPIC_API_KEY: 'k' }, RUNTIME);
      const res = await p.complete(MODEL, { ...REQUEST, params: { max_tokens: 3 } }, { timeoutMs: 5000 });
      // input_tokens (10 words) + cache writes + cache reads
      expect(res.tokens).toEqual({ input: 10 + 120 + 300, output: 3, cacheRead: 300, cacheWrite: 120 });
      expect(res.truncated).toBe(true);
      expect((await p.complete(MODEL, REQUEST, { timeoutMs: 5000 })).truncated).toBeUndefined();
    } finally {
      await cached.close();
    }
  });

  it("keeps the SDK's deprecation notice off the console and says it once, its own way", async () => {
    const printed: unknown[] = [];
    const original = console.warn;
    console.warn = (...a: unknown[]) => void printed.push(a);
    try {
      for (let i = 0; i < 3; i++) await provider.complete('claude-sonnet-4-5', REQUEST, { timeoutMs: 5000 });
      console.warn('after');
    } finally {
      console.warn = original;
    }
    expect(printed).toEqual([['after']]);
    expect(warnings).toEqual([expect.stringMatching(/^anthropic: model claude-sonnet-4-5 is deprecated and will reach end-of-life on /)]);
  });

  it('lists models across pages', async () => {
    expect(await provider.listModels({ timeoutMs: 5000 })).toEqual(MODELS);
    expect(server.requests.filter((r) => r.path === '/anthropic/v1/models').length).toBe(3);
  });

  const faults: { fault: Parameters<ModelServer['fail']>[0]; kind: string }[] = [
    { fault: '429', kind: 'rate_limit' },
    { fault: '500', kind: 'server' },
    { fault: 'hang', kind: 'timeout' },
    { fault: 'drop', kind: 'network' },
    { fault: 'malformed', kind: 'malformed' },
    { fault: '401', kind: 'auth' },
    { fault: '404', kind: 'not_found' },
  ];
  it.each(faults)('maps the $fault fault to $kind', async ({ fault, kind }) => {
    server.fail(fault);
    const err = (await provider.complete(MODEL, REQUEST, { timeoutMs: 300 }).catch((e: unknown) => e)) as ProviderError;
    expect(err).toBeInstanceOf(ProviderError);
    expect(err.kind).toBe(kind);
    expect(err.message).toMatch(/^anthropic /);
    expect(err.message).not.toContain('[object Object]');
    if (fault === '429') expect(err.retryAfterMs).toBe(0);
  });

  it('needs ANTHROPIC_API_KEY', () => {
    expect(() => create({ name: 'anthropic', type: 'anthropic' }, {}, RUNTIME)).toThrow(expect.objectContaining({ kind: 'auth', message: 'ANTHROPIC_API_KEY is not set' }));
  });
});
