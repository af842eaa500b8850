import { createServer, request as httpRequest, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startModelServer, type ModelServer } from '../../test/support/model-server.mjs';
import { gzipSync, deflateSync, brotliCompressSync } from 'node:zlib';
import { createFetch, decode, proxySettings } from './http-fetch.js';

let model: ModelServer;
let zipped: ModelServer;
beforeAll(async () => {
  model = await startModelServer({ answer: () => 'plain' });
  zipped = await startModelServer({ gzip: true, answer: () => 'zipped' });
});
afterAll(() => Promise.all([model.close(), zipped.close()]));

const chat = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
const post = (f: ReturnType<typeof createFetch>, url: string) =>
  f(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(chat) }).then(async (r) => ({ status: r.status, body: (await r.json()) as { choices: { message: { content: string } }[] } }));

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('createFetch', () => {
  it('decompresses a gzip answer', async () => {
    const r = await post(createFetch({ connections: 2 }), `${zipped.openaiBaseURL}/chat/completions`);
    expect(r.body.choices[0].message.content).toBe('zipped');
  });

  it('follows a redirect, keeping a POST a POST on 307', async () => {
    const hop = createServer((req, res) => {
      res.writeHead(307, { location: `${model.openaiBaseURL}/chat/completions` });
      res.end();
    });
    const url = await listen(hop);
    try {
      const r = await post(createFetch({ connections: 2 }), `${url}/v1/chat/completions`);
      expect(r).toMatchObject({ status: 200, body: { choices: [{ message: { content: 'plain' } }] } });
    } finally {
      hop.closeAllConnections();
      await new Promise((resolve) => hop.close(resolve));
    }
  });

  it('takes a Request object, with its method, headers and body', async () => {
    const f = createFetch({ connections: 2 });
    const res = await f(new Request(`${model.openaiBaseURL}/models`));
    expect(res.status).toBe(200);
    expect(((await res.json()) as { object: string }).object).toBe('list');
    const posted = await f(new Request(`${model.openaiBaseURL}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-test': 'yes' }, body: JSON.stringify(chat) }));
    expect(((await posted.json()) as { choices: { message: { content: string } }[] }).choices[0].message.content).toBe('plain');
    expect(model.requests.at(-1)).toMatchObject({ headers: { 'x-test': 'yes' }, body: chat });
  });

  it('aborts with the caller\'s signal', async () => {
    const slow = await startModelServer({ latencyMs: 2000 });
    try {
      const c = new AbortController();
      setTimeout(() => c.abort(), 50);
      const err = (await createFetch({ connections: 1 })(`${slow.openaiBaseURL}/models`, { signal: c.signal }).catch((e: unknown) => e)) as Error;
      expect(err.name).toBe('AbortError');
    } finally {
      await slow.close();
    }
  });

  it('goes through the proxy the environment names, and around it for NO_PROXY hosts', async () => {
    const seen: string[] = [];
    // A forward proxy that speaks both ways clients use: absolute-URI requests and CONNECT tunnels.
    const proxy = createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const target = new URL(req.url!);
      const upstream = httpRequest(target, { method: req.method, headers: req.headers }, (up) => {
        res.writeHead(up.statusCode!, up.headers);
        up.pipe(res);
      });
      req.pipe(upstream);
    });
    const tunnels: { destroy(): void }[] = [];
    proxy.on('connect', (req, socket, head) => {
      seen.push(`CONNECT ${req.url}`);
      tunnels.push(socket);
      const [host, port] = req.url!.split(':');
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      tunnels.push(upstream);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    const url = await listen(proxy);
    try {
      const viaProxy = createFetch({ connections: 2, env: { HTTP_PROXY: url } });
      expect((await post(viaProxy, `${model.openaiBaseURL}/chat/completions`)).body.choices[0].message.content).toBe('plain');
      expect(seen).toHaveLength(1);
      const host = new URL(model.url).host;
      expect(seen[0] === `CONNECT ${host}` || seen[0].startsWith(`POST ${model.url}`)).toBe(true);

      const around = createFetch({ connections: 2, env: { HTTP_PROXY: url, NO_PROXY: '127.0.0.1' } });
      await post(around, `${model.openaiBaseURL}/chat/completions`);
      expect(seen).toHaveLength(1);
    } finally {
      // A CONNECT tunnel is no longer an HTTP connection the server would close itself.
      for (const t of tunnels) t.destroy();
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('keeps connections alive and opens no more than it is allowed', async () => {
    const ports: number[] = [];
    const slow = createServer((req, res) => {
      ports.push(req.socket.remotePort!);
      setTimeout(() => res.end('{}'), 20);
    });
    const url = await listen(slow);
    const f = createFetch({ connections: 3 });
    try {
      const batch = () => Promise.all(Array.from({ length: 12 }, () => f(`${url}/x`).then((r) => r.text())));
      await batch();
      await batch();
      expect(ports).toHaveLength(24);
      // At most three connections, and the second batch reused them.
      expect(new Set(ports).size).toBeLessThanOrEqual(3);
    } finally {
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });
});

describe('decode', () => {
  const text = Buffer.from('{"a":1}');
  it.each([
    ['gzip', gzipSync(text)],
    ['x-gzip', gzipSync(text)],
    ['deflate', deflateSync(text)],
    ['br', brotliCompressSync(text)],
    ['gzip, br', brotliCompressSync(gzipSync(text))],
    ['identity', text],
    ['', text],
  ])('%j', (encoding, bytes) => {
    const headers = new Headers(encoding ? { 'content-encoding': encoding, 'content-length': String(bytes.length) } : {});
    expect(decode(bytes, headers).toString()).toBe('{"a":1}');
    if (encoding && encoding !== 'identity') expect([headers.get('content-encoding'), headers.get('content-length')]).toEqual([null, null]);
  });

  it('hands on an unknown encoding as it came', () => {
    expect(decode(text, new Headers({ 'content-encoding': 'zstd-future' }))).toBe(text);
  });
});

describe('a body that does not decompress', () => {
  it('is a failed fetch (as a transfer cut short is), naming the encoding', async () => {
    const bad = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      res.end('not gzip at all');
    });
    const url = await listen(bad);
    try {
      const err = (await createFetch({ connections: 1 })(`${url}/x`).catch((e: unknown) => e)) as TypeError & { cause: Error };
      expect(err).toBeInstanceOf(TypeError);
      expect(err.cause.message).toMatch(/^the answer could not be decompressed \(gzip\)/);
    } finally {
      bad.closeAllConnections();
      await new Promise((resolve) => bad.close(resolve));
    }
  });
});

describe('proxySettings', () => {
  it.each([
    [{}, undefined],
    [{ HTTP_PROXY: 'http://p:1' }, { httpProxy: 'http://p:1', httpsProxy: 'http://p:1', noProxy: '' }],
    [{ https_proxy: 'http://s:2', HTTPS_PROXY: 'http://S:3', no_proxy: 'localhost' }, { httpProxy: undefined, httpsProxy: 'http://s:2', noProxy: 'localhost' }],
    [{ http_proxy: '' }, undefined],
  ])('%j', (env, expected) => expect(proxySettings(env)).toEqual(expected));
});
