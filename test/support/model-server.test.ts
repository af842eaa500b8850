import { describe, expect, it } from 'vitest';
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { startModelServer } from './model-server.mjs';

const post = (url: string, body: unknown, signal?: AbortSignal) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), signal });

describe('model server', () => {
  it('closes promptly while a request hangs', async () => {
    const s = await startModelServer();
    s.fail('hang');
    const pending = post(`${s.openaiBaseURL}/chat/completions`, { model: 'm', messages: [] }).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const t0 = Date.now();
    await s.close();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('applies faults to completions only, in order, and keeps no requests when told not to', async () => {
    const s = await startModelServer({ record: false, latencyMs: 30 });
    try {
      s.fail('500', 2);
      expect((await fetch(`${s.openaiBaseURL}/models`)).status).toBe(200);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(`${s.anthropicBaseURL}/v1/messages`, { model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] })).status);
      expect(statuses).toEqual([500, 500, 200]);
      expect(s.requests).toHaveLength(0);
      const t0 = Date.now();
      await fetch(`${s.openaiBaseURL}/models`);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
      expect(() => s.fail('teapot' as never)).toThrow(/unknown fault/);
    } finally {
      await s.close();
    }
  });

  it('speaks the OpenAI error format on 429, with Retry-After', async () => {
    const s = await startModelServer({ retryAfterSeconds: 2 });
    try {
      s.fail('429');
      const res = await post(`${s.openaiBaseURL}/chat/completions`, { model: 'm', messages: [] });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('2');
      expect(await res.json()).toMatchObject({ error: { type: 'rate_limit_exceeded', code: 'rate_limit_exceeded' } });
    } finally {
      await s.close();
    }
  });

  it('turns a failing answer function into a 500', async () => {
    const s = await startModelServer({
      answer: () => {
        throw new Error('no answer for this');
      },
    });
    try {
      const res = await post(`${s.openaiBaseURL}/chat/completions`, { model: 'm', messages: [] });
      expect(res.status).toBe(500);
      expect(JSON.stringify(await res.json())).toContain('no answer for this');
    } finally {
      await s.close();
    }
  });

  describe('behaving like real servers (each off by default)', () => {
    const chat = (base: string, body: Record<string, unknown>) => post(`${base}/chat/completions`, { messages: [{ role: 'user', content: 'two words' }], ...body }).then((r) => r.json() as Promise<any>); // eslint-disable-line @typescript-eslint/no-explicit-any
    const message = (base: string, body: Record<string, unknown>) => post(`${base}/v1/messages`, { max_tokens: 50, messages: [{ role: 'user', content: 'hi' }], ...body }).then((r) => r.json() as Promise<any>); // eslint-disable-line @typescript-eslint/no-explicit-any

    it('by default echoes the model, sends a fingerprint, no cache details, no alternatives, stops normally', async () => {
      const s = await startModelServer({ answer: () => 'one two three' });
      try {
        const o = await chat(s.openaiBaseURL, { model: 'gpt-x', logprobs: true, max_tokens: 1 });
        expect(o.model).toBe('gpt-x');
        expect(o.system_fingerprint).toMatch(/^fp_/);
        expect(o.usage.prompt_tokens_details).toBeUndefined();
        expect(o.choices[0].finish_reason).toBe('stop');
        expect(o.choices[0].message.content).toBe('one two three');
        expect(o.choices[0].logprobs.content[0].top_logprobs).toEqual([]);
        const a = await message(s.anthropicBaseURL, { model: 'claude-x' });
        expect(a.model).toBe('claude-x');
        expect(a.stop_reason).toBe('end_turn');
        expect(Object.keys(a.usage)).toEqual(['input_tokens', 'output_tokens']);
      } finally {
        await s.close();
      }
    });

    it('serves its own model name, without a fingerprint, whatever was asked for', async () => {
      const s = await startModelServer({ serveModel: 'llama-3.1-8b-instruct-q4', systemFingerprint: false });
      try {
        const o = await chat(s.openaiBaseURL, { model: 'gpt-4o-mini-2024-07-18' });
        expect(o.model).toBe('llama-3.1-8b-instruct-q4');
        expect('system_fingerprint' in o).toBe(false);
        expect((await message(s.anthropicBaseURL, { model: 'claude-x' })).model).toBe('llama-3.1-8b-instruct-q4');
      } finally {
        await s.close();
      }
    });

    it('reports cached input tokens the way each API does', async () => {
      const s = await startModelServer({ cachedTokens: { read: 100, write: 40 } });
      try {
        const o = await chat(s.openaiBaseURL, { model: 'm' });
        expect(o.usage).toMatchObject({ prompt_tokens: 102, prompt_tokens_details: { cached_tokens: 100 } });
        const a = await message(s.anthropicBaseURL, { model: 'm' });
        expect(a.usage).toEqual({ input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 40, cache_read_input_tokens: 100 });
      } finally {
        await s.close();
      }
    });

    it('sends 20 alternatives a token unless top_logprobs says otherwise', async () => {
      const s = await startModelServer({ defaultTopLogprobs: 20, answer: () => 'a b' });
      try {
        const many = await chat(s.openaiBaseURL, { model: 'm', logprobs: true });
        expect(many.choices[0].logprobs.content.map((t: { top_logprobs: unknown[] }) => t.top_logprobs.length)).toEqual([20, 20]);
        const one = await chat(s.openaiBaseURL, { model: 'm', logprobs: true, top_logprobs: 1 });
        expect(one.choices[0].logprobs.content[0].top_logprobs).toEqual([{ token: 'a', logprob: 0, bytes: [97] }]);
      } finally {
        await s.close();
      }
    });

    it('ignores response_format, or refuses json_schema with a 400 naming it', async () => {
      const ignoring = await startModelServer({ answer: () => 'not json' });
      const refusing = await startModelServer({ jsonSchema: 'refuse', answer: () => '{}' });
      try {
        const schema = { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } };
        expect((await chat(ignoring.openaiBaseURL, { model: 'm', response_format: schema })).choices[0].message.content).toBe('not json');
        const res = await post(`${refusing.openaiBaseURL}/chat/completions`, { model: 'm', messages: [], response_format: schema });
        expect(res.status).toBe(400);
        expect((await res.json()) as object).toMatchObject({ error: { param: 'response_format', type: 'invalid_request_error' } });
        expect((await chat(refusing.openaiBaseURL, { model: 'm', response_format: { type: 'json_object' } })).choices[0].message.content).toBe('{}');
      } finally {
        await Promise.all([ignoring.close(), refusing.close()]);
      }
    });

    it('gzips answers even to a client that did not ask for it', async () => {
      const s = await startModelServer({ gzip: true, answer: () => 'zipped' });
      try {
        const raw = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
          const req = request(`${s.openaiBaseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          });
          req.on('error', reject);
          req.end(JSON.stringify({ model: 'm', messages: [] }));
        });
        expect(raw.headers['content-encoding']).toBe('gzip');
        expect(JSON.parse(gunzipSync(raw.body).toString('utf8')).choices[0].message.content).toBe('zipped');
      } finally {
        await s.close();
      }
    });

    it('cuts an answer at max_tokens and says so, when told to enforce it; an answer may also say it was cut', async () => {
      const s = await startModelServer({ enforceMaxTokens: true, answer: () => 'one two three four' });
      try {
        const o = await chat(s.openaiBaseURL, { model: 'm', max_tokens: 2 });
        expect(o.choices[0]).toMatchObject({ finish_reason: 'length', message: { content: 'one two' } });
        expect(o.usage.completion_tokens).toBe(2);
        const a = await message(s.anthropicBaseURL, { model: 'm', max_tokens: 3 });
        expect(a).toMatchObject({ stop_reason: 'max_tokens', content: [{ text: 'one two three' }] });
        expect((await chat(s.openaiBaseURL, { model: 'm', max_tokens: 10 })).choices[0].finish_reason).toBe('stop');
        s.setAnswer(() => ({ text: 'cut', truncated: true }));
        expect((await chat(s.openaiBaseURL, { model: 'm' })).choices[0].finish_reason).toBe('length');
      } finally {
        await s.close();
      }
    });
  });
});
