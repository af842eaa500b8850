import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDeadlines } from './deadlines.js';
import { dispatcherFor, redirecting } from './http-fetch.js';
import { createLeanHttp, DeadlineError } from './lean-http.js';

let server: Server;
let origin: string;
const hung: { end(): void }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/hang') return void hung.push(res);
      if (req.url === '/chunks') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"a":');
        setTimeout(() => res.write('"one '), 5);
        setTimeout(() => res.end('two"}'), 10);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function client(connections: number) {
  const dispatcher = dispatcherFor({ connections });
  const deadlines = createDeadlines();
  return { http: createLeanHttp(dispatcher, redirecting(dispatcher), deadlines), deadlines, close: () => dispatcher.destroy() };
}
const target = (path: string) => ({ origin, path, headers: { 'content-type': 'application/json' } });

describe('lean http', () => {
  it('collects an answer sent in several chunks into one body', async () => {
    const { http, close } = client(2);
    const reply = await http.post(target('/chunks'), '{}', { timeoutMs: 5000 });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ a: 'one two' });
    await close();
  });

  it('times out a call still waiting for a connection, at its own deadline', async () => {
    const { http, deadlines, close } = client(1);
    const first = http.post(target('/hang'), '{}', { timeoutMs: 5000 }).catch((e: unknown) => e);
    const started = Date.now();
    const err = await http.post(target('/ok'), '{}', { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect(Date.now() - started).toBeLessThan(2000);
    hung.splice(0).forEach((r) => r.end());
    await first;
    expect(deadlines.pending).toBe(0);
    await close();
  });

  it('an abort ends calls in flight and calls still waiting, and leaves no listener on the signal', async () => {
    const { http, deadlines, close } = client(1);
    const c = new AbortController();
    const calls = [http.post(target('/hang'), '{}', { timeoutMs: 5000, signal: c.signal }), http.post(target('/ok'), '{}', { timeoutMs: 5000, signal: c.signal })].map((p) => p.catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 50));
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    c.abort(new Error('stop'));
    const errs = (await Promise.all(calls)) as Error[];
    expect(errs.map((e) => e.message)).toEqual(['stop', 'stop']);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    expect(deadlines.pending).toBe(0);
    hung.splice(0).forEach((r) => r.end());
    await close();
  });

  it('many calls on one signal leave nothing registered behind', async () => {
    const { http, deadlines, close } = client(8);
    const signal = new AbortController().signal;
    await Promise.all(Array.from({ length: 200 }, () => http.post(target('/ok'), '{}', { timeoutMs: 5000, signal })));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(deadlines.pending).toBe(0);
    await close();
  });
});

describe('lean http over its own pool (no proxy set)', () => {
  function direct(connections: number) {
    const dispatcher = dispatcherFor({ connections });
    const deadlines = createDeadlines();
    const http = createLeanHttp(dispatcher, redirecting(dispatcher), deadlines, { connections });
    return { http, deadlines, close: () => (http.close(), dispatcher.destroy()) };
  }

  it('collects an answer sent in several chunks into one body', async () => {
    const { http, close } = direct(2);
    const reply = await http.post(target('/chunks'), '{}', { timeoutMs: 5000 });
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body.toString())).toEqual({ a: 'one two' });
    await close();
  });

  it('times out a call still waiting for a connection, at its own deadline', async () => {
    const { http, deadlines, close } = direct(1);
    const first = http.post(target('/hang'), '{}', { timeoutMs: 5000 }).catch((e: unknown) => e);
    const started = Date.now();
    const err = await http.post(target('/ok'), '{}', { timeoutMs: 200 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeadlineError);
    expect(Date.now() - started).toBeLessThan(2000);
    hung.splice(0).forEach((r) => r.end());
    await first;
    expect(deadlines.pending).toBe(0);
    await close();
  });

  it('an abort ends calls in flight and calls still waiting, and leaves no listener on the signal', async () => {
    const { http, deadlines, close } = direct(1);
    const c = new AbortController();
    const calls = [http.post(target('/hang'), '{}', { timeoutMs: 5000, signal: c.signal }), http.post(target('/ok'), '{}', { timeoutMs: 5000, signal: c.signal })].map((p) => p.catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 50));
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(1);
    c.abort(new Error('stop'));
    const errs = (await Promise.all(calls)) as Error[];
    expect(errs.map((e) => e.message)).toEqual(['stop', 'stop']);
    expect(getEventListeners(c.signal, 'abort')).toHaveLength(0);
    expect(deadlines.pending).toBe(0);
    hung.splice(0).forEach((r) => r.end());
    await close();
  });

  it('many calls on one signal leave nothing registered behind', async () => {
    const { http, deadlines, close } = direct(8);
    const signal = new AbortController().signal;
    await Promise.all(Array.from({ length: 200 }, () => http.post(target('/ok'), '{}', { timeoutMs: 5000, signal })));
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
    expect(deadlines.pending).toBe(0);
    await close();
  });

  it('an already aborted signal sends nothing', async () => {
    const { http, close } = direct(1);
    const c = new AbortController();
    c.abort(new Error('before'));
    const err = (await http.post(target('/ok'), '{}', { timeoutMs: 5000, signal: c.signal }).catch((e: unknown) => e)) as Error;
    expect(err.message).toBe('before');
    await close();
  });
});

