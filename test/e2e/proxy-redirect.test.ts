// The network a user's machine has, through the built binary: a forward proxy
// named by HTTP_PROXY (and NO_PROXY around it), and a server that redirects.
// aigov's own HTTP/1.1 pool serves the plain case; these go through undici.
import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aigov } from '../support/cli.js';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

let server: ModelServer;
const closers: (() => Promise<void>)[] = [];
const cleanups: (() => void)[] = [];
beforeAll(async () => {
  server = await startModelServer({ aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' }, answer: (req) => ({ power: 'utilities', flight: 'travel' })[/Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? ''] ?? 'OK' });
});
afterAll(async () => {
  cleanups.forEach((c) => c());
  for (const close of closers) await close();
  await server?.close();
});

async function listen(s: Server): Promise<string> {
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  closers.push(() => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve()))));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

/** A forward proxy that speaks both ways clients use: absolute-URI requests and CONNECT tunnels. */
async function startProxy(): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(new URL(req.url!), { method: req.method, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode!, up.headers);
      up.pipe(res);
    });
    req.pipe(upstream);
  });
  const tunnels: Socket[] = [];
  proxy.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(':');
    const upstream = connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    tunnels.push(socket, upstream);
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  closers.push(async () => tunnels.forEach((t) => t.destroy()));
  return { url: await listen(proxy), seen };
}

function workspace(baseURL: string) {
  const w = tempWorkspace(classifierFiles({ baseURL }));
  cleanups.push(w.cleanup);
  return w;
}

const chat = (since: number) => server.requests.slice(since).filter((r) => r.path.endsWith('/chat/completions')).length;

describe('the network in between', () => {
  it('HTTP_PROXY: pin and eval go through the proxy; NO_PROXY for the host goes around it', async () => {
    const proxy = await startProxy();
    const w = workspace(server.openaiBaseURL);
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: '' };
    const pin = await aigov(['pin'], { cwd: w.root, env });
    expect(pin.exitCode).toBe(0);
    expect(proxy.seen.length).toBeGreaterThan(0);
    const before = server.requests.length;
    const atEval = proxy.seen.length;
    const r = await aigov(['eval', '--no-cache'], { cwd: w.root, env });
    expect(r.exitCode).toBe(0);
    expect(chat(before)).toBe(2);
    // Both cases went through it: forwarded one by one, or over CONNECT tunnels (one carries several requests).
    const host = new URL(server.openaiBaseURL).host;
    const during = proxy.seen.slice(atEval);
    expect(during.length).toBeGreaterThan(0);
    for (const line of during) expect([`CONNECT ${host}`, `POST ${server.openaiBaseURL}/chat/completions`]).toContain(line);
    if (during.every((l) => l.startsWith('POST'))) expect(during).toHaveLength(2);

    const seen = proxy.seen.length;
    const around = await aigov(['eval', '--no-cache'], { cwd: w.root, env: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    expect(around.exitCode).toBe(0);
    expect(proxy.seen.length).toBe(seen);
  });

  it('a server that redirects (307) the chat completion: the POST follows it, with its body, and the suite passes', async () => {
    const real = new URL(server.openaiBaseURL);
    const redirected: string[] = [];
    const redirector = createServer((req, res) => {
      redirected.push(`${req.method} ${req.url}`);
      res.writeHead(307, { location: `${real.origin}${req.url}` });
      res.end();
    });
    const base = await listen(redirector);
    const w = workspace(`${base}${real.pathname}`);
    expect((await aigov(['pin'], { cwd: w.root })).exitCode).toBe(0);
    const before = server.requests.length;
    const r = await aigov(['eval', '--no-cache'], { cwd: w.root });
    expect(r.stderr).toBe('');
    expect(r.exitCode).toBe(0);
    expect(chat(before)).toBe(2);
    expect(redirected.filter((l) => l === `POST ${real.pathname}/chat/completions`).length).toBeGreaterThanOrEqual(2);
    for (const q of server.requests.slice(before)) expect(q.body.messages.at(-1).content).toMatch(/^Invoice: (power|flight)$/);
  });
});
