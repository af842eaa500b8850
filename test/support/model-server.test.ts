import { describe, expect, it } from 'vitest';
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
});
