// aigov's own HTTP/1.1 pool against real servers on 127.0.0.1: node:http where the
// answer is ordinary, a raw TCP server where the test must say exactly which bytes
// arrive when (framing split anywhere, a connection cut or reset mid-answer).
import { execFile } from 'node:child_process';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_TLS_CERT, TEST_TLS_KEY } from '../../test/support/tls.js';
import { createH1Pool, type H1Pool } from './h1.js';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A node:http server; `handle` answers; every request and connection is counted. */
async function httpServer(handle: (req: IncomingMessage, res: import('node:http').ServerResponse, body: string) => void, opts: { keepAliveTimeout?: number } = {}) {
  const seen: Seen[] = [];
  let connections = 0;
  const server: Server = createHttpServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      handle(req, res, body);
    });
  });
  if (opts.keepAliveTimeout) server.keepAliveTimeout = opts.keepAliveTimeout;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), seen, connections: () => connections };
}

/** A TCP server that reads one request head and body, then lets `reply` write what it wants. */
async function rawServer(reply: (socket: Socket, n: number) => void) {
  let n = 0;
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: NetServer = createNetServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    let buf = '';
    socket.on('data', (d) => {
      buf += d.toString('latin1');
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(buf.slice(0, end))?.[1] ?? 0);
        if (buf.length < end + 4 + length) return;
        buf = buf.slice(end + 4 + length);
        reply(socket, n++);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise((resolve) => (sockets.forEach((s) => s.destroy()), server.close(resolve))));
  return { url: new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), connections: () => connections };
}

function pool(url: URL, connections = 4, extra: { ca?: string } = {}): H1Pool {
  const p = createH1Pool(url, { connections, keepAliveMs: 30_000, ...extra });
  closers.push(() => p.destroy());
  return p;
}

function post(p: H1Pool, body = '{"q":1}', headers: Record<string, string> = { 'content-type': 'application/json' }, path = '/v1/chat/completions') {
  const request = p.prepare(p.target(path, headers), body);
  p.send(request);
  return request;
}

const failure = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected it to fail'); }, (err: Error & { cause?: Error & { code?: string } }) => err);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const json = (res: import('node:http').ServerResponse, value: unknown, headers: Record<string, string> = {}) => {
  const text = JSON.stringify(value);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
};

describe('h1: requests and answers', () => {
  it('sends one POST with its headers and body, reads the answer by its length, and reuses the socket', async () => {
    const s = await httpServer((_req, res, body) => json(res, { echo: JSON.parse(body) }, { 'x-twice': 'a' }));
    const p = pool(s.url);
    for (let i = 0; i < 3; i++) {
      const reply = await post(p, JSON.stringify({ i, text: 'é' }), { 'content-type': 'application/json', authorization: 'Bearer k' }).done;
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body.toString())).toEqual({ echo: { i, text: 'é' } });
      expect(reply.headers['content-type']).toBe('application/json');
    }
    expect(s.connections()).toBe(1);
    expect(s.seen[2]).toMatchObject({ method: 'POST', url: '/v1/chat/completions', body: '{"i":2,"text":"é"}' });
    expect(s.seen[2].headers).toMatchObject({ host: s.url.host, authorization: 'Bearer k', 'content-length': String(Buffer.byteLength('{"i":2,"text":"é"}')) });
  });

  it('opens at most its number of sockets; the other requests wait for one', async () => {
    const s = await httpServer((_req, res) => setTimeout(() => json(res, { ok: true }), 20));
    const p = pool(s.url, 3);
    const replies = await Promise.all(Array.from({ length: 10 }, () => post(p).done));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(s.connections()).toBe(3);
  });

  it('reads a chunked answer split anywhere, with chunk extensions and trailers', async () => {
    const parts = ['HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r', '\n5;x=1\r', '\n{"a":\r\n', '9\r\n"one two"\r', '\n1\r\n}\r\n0\r\nx-trailer: t\r', '\n\r\n'];
    const s = await rawServer(async (socket) => {
      for (const part of parts) {
        socket.write(part);
        await sleep(5);
      }
    });
    const p = pool(s.url);
    const first = await post(p).done;
    expect(JSON.parse(first.body.toString())).toEqual({ a: 'one two' });
    expect(first.headers['transfer-encoding']).toBe('chunked');
    await post(p).done;
    expect(s.connections()).toBe(1);
  });

  it('reads an answer with neither length nor chunks to the end of the connection, and does not reuse it', async () => {
    const s = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\n\r\n{"until":"close"}'));
    const p = pool(s.url);
    expect(JSON.parse((await post(p).done).body.toString())).toEqual({ until: 'close' });
    expect(JSON.parse((await post(p).done).body.toString())).toEqual({ until: 'close' });
    expect(s.connections()).toBe(2);
  });

  it('skips informational answers (100, 103) to read the real one', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: </a>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok'));
    const reply = await post(pool(s.url)).done;
    expect([reply.status, reply.body.toString(), reply.headers.link]).toEqual([201, 'ok', undefined]);
  });

  it('does not reuse a socket the server closes (connection: close), nor one that sent bytes past its answer', async () => {
    const s = await rawServer((socket, n) => socket.write(n === 0 ? 'HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 1\r\n\r\na' : 'HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nbHTTP/1.1 200 OK\r\n'));
    const p = pool(s.url, 1);
    expect((await post(p).done).body.toString()).toBe('a');
    expect((await post(p).done).body.toString()).toBe('b');
    expect((await post(p).done).body.toString()).toBe('b');
    expect(s.connections()).toBe(3);
  });

  it('repeated headers are kept as a list; status lines without a reason phrase are read', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 429\r\nset-cookie: a=1\r\nSet-Cookie: b=2\r\nretry-after: 3\r\ncontent-length: 0\r\n\r\n'));
    const reply = await post(pool(s.url)).done;
    expect(reply).toMatchObject({ status: 429, headers: { 'set-cookie': ['a=1', 'b=2'], 'retry-after': '3' } });
    expect(reply.body.length).toBe(0);
  });

  it('undoes gzip; a broken gzip body fails as a transfer cut short would', async () => {
    const body = gzipSync('{"zipped":true}');
    const s = await rawServer((socket, n) => {
      const bytes = n === 0 ? body : body.subarray(0, 10);
      socket.write(`HTTP/1.1 200 OK\r\ncontent-encoding: gzip\r\ncontent-type: application/json\r\ncontent-length: ${bytes.length}\r\n\r\n`);
      socket.write(bytes);
    });
    const p = pool(s.url);
    const reply = await post(p).done;
    expect([JSON.parse(reply.body.toString()), reply.decoded]).toEqual([{ zipped: true }, true]);
    const err = await failure(post(p).done);
    expect([err.name, err.message]).toEqual(['TypeError', 'fetch failed']);
    expect(err.cause?.message).toMatch(/^the answer could not be decompressed \(gzip\)/);
  });
});

describe('h1: what goes wrong', () => {
  it('a connection closed mid-answer is a failed fetch: "other side closed", as undici says it', async () => {
    const s = await rawServer((socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n{"cut'));
    const err = await failure(post(pool(s.url)).done);
    expect([err.name, err.message, err.cause?.message, err.cause?.code]).toEqual(['TypeError', 'fetch failed', 'other side closed', 'UND_ERR_SOCKET']);
  });

  it('a reset connection and a refused one are failed fetches naming ECONNRESET and ECONNREFUSED', async () => {
    const s = await rawServer((socket) => socket.resetAndDestroy());
    const reset = await failure(post(pool(s.url)).done);
    expect([reset.message, reset.cause?.code]).toEqual(['fetch failed', 'ECONNRESET']);
    const closed = await rawServer(() => {});
    const url = closed.url;
    await closers.pop()!();
    const refused = await failure(post(pool(url)).done);
    expect([refused.message, refused.cause?.code]).toEqual(['fetch failed', 'ECONNREFUSED']);
  });

  it('a socket the server closed while idle is not used again', async () => {
    const s = await rawServer((socket) => {
      socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
      setTimeout(() => socket.end(), 20);
    });
    const p = pool(s.url, 1);
    await post(p).done;
    await sleep(100);
    expect((await post(p).done).body.toString()).toBe('ok');
    expect(s.connections()).toBe(2);
  });

  it('a server that keeps sockets 1 s (keep-alive: timeout=1) gets a new one after that, not one it may be closing', async () => {
    const s = await rawServer((socket) => socket.write('HTTP/1.1 200 OK\r\nkeep-alive: timeout=1\r\ncontent-length: 2\r\n\r\nok'));
    const p = pool(s.url, 1);
    await post(p).done;
    await post(p).done;
    expect(s.connections()).toBe(2);
  });

  it('reuses a socket idle over a second after one turn of the event loop; a request cancelled meanwhile leaves it to the next', async () => {
    const s = await httpServer((_req, res) => json(res, { ok: true }));
    const p = pool(s.url, 1);
    await post(p).done;
    await sleep(1100);
    const cancelled = post(p);
    cancelled.cancel(new Error('changed my mind'));
    expect((await failure(cancelled.done)).message).toBe('changed my mind');
    await sleep(1100);
    expect((await post(p).done).status).toBe(200);
    expect(s.connections()).toBe(1);
  });

  it('cancels a request waiting for a socket and one in flight; the pool goes on with a new socket', async () => {
    const s = await rawServer((socket, n) => {
      if (n > 0) socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok');
    });
    const p = pool(s.url, 1);
    const inFlight = post(p);
    const waiting = post(p);
    await sleep(30);
    waiting.cancel(new Error('deadline'));
    expect((await failure(waiting.done)).message).toBe('deadline');
    inFlight.cancel(new Error('abort'));
    expect((await failure(inFlight.done)).message).toBe('abort');
    expect((await post(p).done).body.toString()).toBe('ok');
    expect(s.connections()).toBe(2);
  });

  it('a request cancelled before it is sent is never sent', async () => {
    const s = await httpServer((_req, res) => json(res, {}));
    const p = pool(s.url);
    const request = p.prepare(p.target('/x', {}), '{}');
    request.cancel(new Error('aborted already'));
    p.send(request);
    expect((await failure(request.done)).message).toBe('aborted already');
    await sleep(20);
    expect(s.connections()).toBe(0);
  });

  it('a header value with a line break fails every request and sends nothing', async () => {
    const s = await httpServer((_req, res) => json(res, {}));
    const p = pool(s.url);
    const err = await failure(post(p, '{}', { authorization: 'Bearer k\r\nx-injected: 1' }).done);
    expect([err.message, err.cause?.message]).toEqual(['fetch failed', 'invalid authorization header']);
    await sleep(20);
    expect(s.connections()).toBe(0);
  });

  it('refuses a response head over 16 KiB, and what is not HTTP at all', async () => {
    const s = await rawServer((socket, n) => socket.write(n === 0 ? `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(20_000)}\r\ncontent-length: 0\r\n\r\n` : 'SSH-2.0-OpenSSH\r\n\r\n'));
    const p = pool(s.url, 1);
    expect((await failure(post(p).done)).cause?.message).toBe('the response head is too large');
    expect((await failure(post(p).done)).cause?.message).toMatch(/^not an HTTP\/1.1 response: "SSH-2.0-OpenSSH"/);
  });

  it('an invalid content-length or chunk size is a failed fetch', async () => {
    const s = await rawServer((socket, n) => socket.write(n === 0 ? 'HTTP/1.1 200 OK\r\ncontent-length: 1x\r\n\r\n' : 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'));
    const p = pool(s.url, 1);
    expect((await failure(post(p).done)).cause?.message).toBe('an invalid content-length: "1x"');
    expect((await failure(post(p).done)).cause?.message).toBe('an invalid chunk size: "zz"');
  });
});

describe('h1: https and the process', () => {
  it('speaks TLS, checking the server\'s certificate: a self-signed one is refused unless its authority is given', async () => {
    const server = createHttpsServer({ key: TEST_TLS_KEY, cert: TEST_TLS_CERT }, (req, res) => {
      req.resume();
      req.on('end', () => json(res, { tls: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise((resolve) => (server.closeAllConnections(), server.close(resolve))));
    const url = new URL(`https://localhost:${(server.address() as AddressInfo).port}`);
    const refused = await failure(post(pool(url)).done);
    expect(refused.message).toBe('fetch failed');
    expect(refused.cause?.code).toMatch(/SELF_SIGNED/);
    const resumed: boolean[] = [];
    server.on('secureConnection', (socket: import('node:tls').TLSSocket) => resumed.push(socket.isSessionReused()));
    const trusting = pool(url, 2, { ca: TEST_TLS_CERT });
    expect(JSON.parse((await post(trusting).done).body.toString())).toEqual({ tls: true });
    // The second socket resumes the first one's TLS session instead of a full handshake.
    await Promise.all([post(trusting).done, post(trusting).done]);
    expect(resumed).toEqual([false, true]);
  });

  it('idle sockets do not keep the process alive', async () => {
    const s = await httpServer((_req, res) => json(res, { ok: true }));
    const h1 = fileURLToPath(new URL('../../dist/providers/h1.js', import.meta.url));
    const script = `const { createH1Pool } = await import(${JSON.stringify(h1)}); const p = createH1Pool(new URL(${JSON.stringify(s.url.href)}), { connections: 2, keepAliveMs: 60000 }); const r = p.prepare(p.target('/', {}), '{}'); p.send(r); console.log((await r.done).status);`;
    const started = Date.now();
    const out = await new Promise<string>((resolve, reject) => execFile(process.execPath, ['--input-type=module', '-e', script], { timeout: 10_000 }, (err, stdout) => (err ? reject(err) : resolve(stdout))));
    expect(out.trim()).toBe('200');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(s.connections()).toBe(1);
  });
});
