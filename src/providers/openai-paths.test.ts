// The lean chat-completions path and the SDK's, side by side against the same
// wire-format server and the same faults: every answer, error, request and
// warning must come out the same, so which path a call takes never shows.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AigovError, ProviderError } from '../errors.js';
import { startModelServer, type ModelServer, type ModelServerOptions } from '../../test/support/model-server.mjs';
import { create } from './openai.js';
import type { CallOptions, ModelRequest, ModelResponse } from './types.js';

const ENV = { OPENAI_API_KEY: 'sk-test' };
const REQUEST: ModelRequest = {
  messages: [
    { role: 'system', content: 'Answer with one word.' },
    { role: 'user', content: 'Invoice: ACME Power, 420 kWh' },
  ],
  params: { temperature: 0, max_tokens: 20, seed: 7 },
};
const SCHEMA_REQUEST: ModelRequest = { ...REQUEST, json: true, schema: { name: 'x', schema: { type: 'object' } } };
const PATHS = ['lean', 'sdk'] as const;

const servers: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function modelServer(opts: ModelServerOptions = {}): Promise<ModelServer> {
  const s = await startModelServer(opts);
  servers.push(s);
  return s;
}

async function plainServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  const s: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  servers.push({ close: () => new Promise<void>((resolve) => (s.closeAllConnections(), s.close(() => resolve()))) });
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}/v1`;
}

type Outcome = { ok: Omit<ModelResponse, 'latencyMs'> } | { error: Record<string, unknown> };

/** What a call came to, without what differs by nature (the latency). */
async function outcome(baseURL: string, path: 'lean' | 'sdk', request: ModelRequest, opts: Partial<CallOptions> = {}, warnings: string[] = []): Promise<Outcome> {
  const p = create({ name: 'local', type: 'openai', baseURL }, ENV, { connections: 2, onWarning: (m) => warnings.push(m) }, { path });
  try {
    const { latencyMs, ...ok } = await p.complete('gpt-4o-mini', request, { timeoutMs: 5000, ...opts });
    expect(latencyMs).toBeGreaterThanOrEqual(0);
    return { ok };
  } catch (err) {
    expect(err).toBeInstanceOf(AigovError);
    const e = err as ProviderError;
    return { error: { class: e.constructor.name, code: e.code, kind: e.kind, message: e.message, retryable: e.retryable, status: e.status, retryAfterMs: e.retryAfterMs, hint: e.hint } };
  }
}

/** Both paths against their own fresh server of the same kind: outcomes, requests received and warnings. */
async function both(opts: ModelServerOptions, setup: (s: ModelServer) => void, request: ModelRequest = REQUEST, callOpts: Partial<CallOptions> = {}) {
  const out = [];
  for (const path of PATHS) {
    const server = await modelServer(opts);
    setup(server);
    const warnings: string[] = [];
    const result = await outcome(server.openaiBaseURL, path, request, callOpts, warnings);
    const sent = server.requests.map((r) => ({ path: r.path, body: r.body, authorization: r.headers.authorization, contentType: r.headers['content-type'] }));
    out.push({ result, sent, warnings });
  }
  return out;
}

describe('the lean path and the SDK path give the same results', () => {
  const cases: { name: string; opts?: ModelServerOptions; setup?: (s: ModelServer) => void; request?: ModelRequest; call?: Partial<CallOptions> }[] = [
    { name: 'a plain answer, the alias resolved', opts: { aliases: { 'gpt-4o-mini': 'gpt-4o-mini-2024-07-18' } } },
    { name: 'the served model\'s own name, no system_fingerprint', opts: { serveModel: 'llama-3.1-8b-instruct-q4', systemFingerprint: false } },
    { name: 'cached input tokens', opts: { cachedTokens: { read: 50 } } },
    { name: 'truncated at max_tokens', opts: { enforceMaxTokens: true, answer: () => 'one two three' }, request: { ...REQUEST, params: { max_tokens: 2 } } },
    { name: 'logprobs, one alternative asked of a server that sends 20', opts: { defaultTopLogprobs: 20, answer: () => 'a b c' }, request: { ...REQUEST, logprobs: true } },
    { name: 'logprobs with 20 alternatives a token', opts: { answer: () => 'a b c' }, request: { ...REQUEST, logprobs: true, params: { top_logprobs: 20 } } },
    { name: 'a JSON answer asked with json_schema', opts: { answer: () => '{"a":1}' }, request: SCHEMA_REQUEST },
    { name: 'json_schema refused: json_object asked instead, with one warning', opts: { jsonSchema: 'refuse', answer: () => '{"a":1}' }, request: SCHEMA_REQUEST },
    { name: 'a gzip answer', opts: { gzip: true, answer: () => 'compressed answer' } },
    { name: 'a gzip 429 with Retry-After', opts: { gzip: true, retryAfterSeconds: 2 }, setup: (s) => s.fail('429') },
    { name: '429 with Retry-After', opts: { retryAfterSeconds: 1 }, setup: (s) => s.fail('429') },
    { name: '500', setup: (s) => s.fail('500') },
    { name: '400', setup: (s) => s.fail('400') },
    { name: '401', setup: (s) => s.fail('401') },
    { name: '404', setup: (s) => s.fail('404') },
    { name: 'a reset connection', setup: (s) => s.fail('drop') },
    { name: 'malformed JSON', setup: (s) => s.fail('malformed') },
    { name: 'a hang, until the timeout', setup: (s) => s.fail('hang'), call: { timeoutMs: 200 } },
  ];
  it.each(cases)('$name', async ({ opts = {}, setup = () => {}, request = REQUEST, call = {} }) => {
    const [lean, sdk] = await both(opts, setup, request, call);
    expect(lean).toEqual(sdk);
    expect(lean.sent.length).toBeGreaterThan(0);
  });

  it('a refused connection', async () => {
    const gone = await startModelServer();
    await gone.close();
    const [lean, sdk] = await Promise.all(PATHS.map((p) => outcome(gone.openaiBaseURL, p, REQUEST, { timeoutMs: 2000 })));
    expect(lean).toEqual(sdk);
    expect(lean).toMatchObject({ error: { kind: 'network', message: expect.stringMatching(/ECONNREFUSED/) } });
  });

  it('an abort by the caller, while waiting for the answer', async () => {
    const results = [];
    for (const path of PATHS) {
      const s = await modelServer();
      s.fail('hang');
      const c = new AbortController();
      setTimeout(() => c.abort(), 50);
      results.push(await outcome(s.openaiBaseURL, path, REQUEST, { signal: c.signal }));
    }
    expect(results[0]).toEqual(results[1]);
    expect(results[0]).toMatchObject({ error: { class: 'InterruptedError', code: 'E_INTERRUPTED' } });
  });

  it('an abort before the call', async () => {
    const s = await modelServer();
    const [lean, sdk] = await Promise.all(PATHS.map((p) => outcome(s.openaiBaseURL, p, REQUEST, { signal: AbortSignal.abort() })));
    expect(lean).toEqual(sdk);
    expect(lean).toMatchObject({ error: { code: 'E_INTERRUPTED' } });
    expect(s.requests).toHaveLength(0);
  });

  // What proxies and gateways in front of a model server send.
  const odd: { name: string; handler: (req: IncomingMessage, res: ServerResponse) => void }[] = [
    { name: 'a 502 HTML page', handler: (_q, r) => r.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>Bad Gateway</body></html>') },
    { name: 'a 503 with no body', handler: (_q, r) => r.writeHead(503).end() },
    // A date in the past: a wait of 0 for both, whatever the clock says by the time each reads it.
    { name: 'a 429 with Retry-After as an HTTP date', handler: (_q, r) => r.writeHead(429, { 'retry-after': new Date(Date.now() - 60_000).toUTCString(), 'content-type': 'application/json' }).end('{"error":{"message":"slow"}}') },
    { name: 'a 429 with retry-after-ms', handler: (_q, r) => r.writeHead(429, { 'retry-after-ms': '250', 'content-type': 'application/json' }).end('{"error":{"message":"slow"}}') },
    { name: 'a 422 whose message is an object', handler: (_q, r) => r.writeHead(422, { 'content-type': 'application/json' }).end('{"error":{"message":{"detail":"bad"}}}') },
    { name: 'a 400 body that is a JSON string', handler: (_q, r) => r.writeHead(400, { 'content-type': 'application/json' }).end('"no"') },
    { name: 'a 200 in text/plain', handler: (_q, r) => r.writeHead(200, { 'content-type': 'text/plain' }).end('{"choices":[{"message":{"content":"x"}}]}') },
    { name: 'a 200 with no content type', handler: (_q, r) => r.writeHead(200).end('hello') },
    { name: 'a 204', handler: (_q, r) => r.writeHead(204).end() },
    { name: 'a 200 JSON without choices', handler: (_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"object":"chat.completion"}') },
    { name: 'a 200 JSON with a byte-order mark', handler: (_q, r) => r.writeHead(200, { 'content-type': 'application/json; charset=utf-8' }).end('\ufeff{"model":"m","choices":[{"message":{"content":"bom"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1}}') },
    { name: 'a 200 of +json', handler: (_q, r) => r.writeHead(200, { 'content-type': 'application/vnd.x+json' }).end('{"model":"m","choices":[{"message":{"content":"vnd"},"finish_reason":"length"}]}') },
    { name: 'a body claimed gzip that is not', handler: (_q, r) => r.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end('not gzip at all') },
    { name: 'a gzip 500', handler: (_q, r) => r.writeHead(500, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(gzipSync('{"error":{"message":"zipped failure"}}')) },
    { name: 'a 301 with no Location', handler: (_q, r) => r.writeHead(301).end() },
  ];
  it.each(odd)('$name', async ({ handler }) => {
    const url = await plainServer(handler);
    const [lean, sdk] = await Promise.all(PATHS.map((p) => outcome(url, p, REQUEST)));
    expect(lean).toEqual(sdk);
  });

  it('follows a 307 to the model server, and a 303 as the SDK does', async () => {
    const target = await modelServer({ answer: () => 'redirected' });
    for (const status of [307, 308, 303]) {
      const hop = await plainServer((_q, r) => r.writeHead(status, { location: `${target.openaiBaseURL}/chat/completions` }).end());
      const [lean, sdk] = await Promise.all(PATHS.map((p) => outcome(hop, p, REQUEST)));
      expect(lean).toEqual(sdk);
    }
    // 307 and 308 keep the POST; both paths answered each.
    expect(target.requests.filter((r) => r.path.endsWith('/chat/completions') && r.body)).toHaveLength(4);
  });

  it('sends the same organization and project headers the SDK reads from the environment', async () => {
    const saved = { org: process.env.OPENAI_ORG_ID, project: process.env.OPENAI_PROJECT_ID };
    process.env.OPENAI_ORG_ID = 'org-1';
    process.env.OPENAI_PROJECT_ID = 'proj-1';
    try {
      const s = await modelServer();
      for (const p of PATHS) await outcome(s.openaiBaseURL, p, REQUEST);
      const headers = s.requests.map((r) => [r.headers['openai-organization'], r.headers['openai-project']]);
      expect(headers).toEqual([
        ['org-1', 'proj-1'],
        ['org-1', 'proj-1'],
      ]);
    } finally {
      for (const [k, v] of [['OPENAI_ORG_ID', saved.org], ['OPENAI_PROJECT_ID', saved.project]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a base URL with a trailing slash reaches the same endpoint', async () => {
    const s = await modelServer();
    const [lean, sdk] = await Promise.all(PATHS.map((p) => outcome(`${s.openaiBaseURL}/`, p, REQUEST)));
    expect(lean).toEqual(sdk);
    expect(s.requests.map((r) => r.path)).toEqual(['/openai/v1/chat/completions', '/openai/v1/chat/completions']);
  });
});

describe('which path a call takes', () => {
  afterAll(() => {
    delete process.env.OPENAI_CUSTOM_HEADERS;
  });

  it('the SDK, with the headers it adds, where OPENAI_CUSTOM_HEADERS is set, or AIGOV_OPENAI_SDK', async () => {
    const s = await modelServer();
    const agents = async (env: Record<string, string>) => {
      s.requests.length = 0;
      await create({ name: 'o', type: 'openai', baseURL: s.openaiBaseURL }, { ...ENV, ...env }, { connections: 1, onWarning: () => {} }).complete('m', REQUEST, { timeoutMs: 5000 });
      return [String(s.requests[0].headers['user-agent']), s.requests[0].headers['x-custom']];
    };
    expect(await agents({})).toEqual(['aigov', undefined]);
    expect((await agents({ AIGOV_OPENAI_SDK: '1' }))[0]).toMatch(/^OpenAI\/JS/);
    expect((await agents({ AIGOV_OPENAI_SDK: '0' }))[0]).toBe('aigov');
    process.env.OPENAI_CUSTOM_HEADERS = 'X-Custom: yes';
    expect(await agents({})).toEqual([expect.stringMatching(/^OpenAI\/JS/), 'yes']);
  });

  it('aigov\'s own pool where no proxy is set; through the proxy the environment names, on both paths', async () => {
    const s = await modelServer({ answer: () => 'proxied' });
    const seen: string[] = [];
    // A forward proxy that speaks both ways clients use: absolute-URI requests and CONNECT tunnels.
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
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    servers.push({ close: () => new Promise<void>((resolve) => (tunnels.forEach((t) => t.destroy()), proxy.closeAllConnections(), proxy.close(() => resolve()))) });
    const proxyURL = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    for (const path of PATHS) {
      const direct = create({ name: 'o', type: 'openai', baseURL: s.openaiBaseURL }, ENV, { connections: 1, onWarning: () => {} }, { path });
      expect((await direct.complete('m', REQUEST, { timeoutMs: 5000 })).text).toBe('proxied');
      const viaProxy = create({ name: 'o', type: 'openai', baseURL: s.openaiBaseURL }, { ...ENV, HTTP_PROXY: proxyURL }, { connections: 1, onWarning: () => {} }, { path });
      expect((await viaProxy.complete('m', REQUEST, { timeoutMs: 5000 })).text).toBe('proxied');
    }
    // Each path went through the proxy once (a tunnel or a forwarded request), and only when it was set.
    const host = new URL(s.url).host;
    expect(seen).toHaveLength(2);
    for (const line of seen) expect(line === `CONNECT ${host}` || line === `POST ${s.openaiBaseURL}/chat/completions`).toBe(true);
  });
});

