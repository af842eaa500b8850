import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../errors.js';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { body, create, DEFAULT_MAX_TOKENS, JSON_INSTRUCTION } from './anthropic.js';
import type { ModelRequest, Provider } from './types.js';

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

beforeAll(async () => {
  server = await startModelServer({ aliases: { [MODEL]: 'claude-haiku-4-5-20251001' }, models: { anthropic: MODELS } });
  provider = create({ name: 'anthropic', type: 'anthropic', baseURL: server.anthropicBaseURL }, { ANTHROPIC_API_KEY: 'sk-ant-test' });
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.setAnswer(() => 'ok');
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

  it('keeps an explicit max_tokens, turns `stop` into stop_sequences and asks for JSON in words', () => {
    const b = body(MODEL, { messages: [{ role: 'user', content: 'x' }], params: { max_tokens: 50, stop: 'END' }, json: true, logprobs: true });
    expect(b).toEqual({ model: MODEL, max_tokens: 50, stop_sequences: ['END'], system: JSON_INSTRUCTION, messages: [{ role: 'user', content: 'x' }] });
  });

  it('answers JSON requests over the wire, without logprobs', async () => {
    server.setAnswer(() => '{"category":"travel"}');
    const res = await provider.complete(MODEL, { ...REQUEST, json: true, logprobs: true }, { timeoutMs: 5000 });
    expect(res.text).toBe('{"category":"travel"}');
    expect(res.logprobs).toBeNull();
    expect(server.requests[0].body.system).toMatch(new RegExp(`${JSON_INSTRUCTION}$`));
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
    expect(() => create({ name: 'anthropic', type: 'anthropic' }, {})).toThrow(expect.objectContaining({ kind: 'auth', message: 'ANTHROPIC_API_KEY is not set' }));
  });
});
