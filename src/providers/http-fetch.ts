// The `fetch` the model SDKs call: one undici dispatch over the provider's keep-alive
// Agent, with as many connections per origin as calls may be in flight, and the
// answer buffered whole (aigov never streams). It handles what the hand-written
// client over node:http got wrong: compressed answers, redirects, `Request` objects,
// and HTTP(S)_PROXY / NO_PROXY from the environment.
//
// Not undici's `fetch` itself: measured with bench/compare-builds.mjs, its WHATWG
// streams cost about half as much CPU again per call, and the 5000-case run went
// from 135 to 180-206 MiB, over its 150 MiB budget.
import { Agent, EnvHttpProxyAgent, redirectInterceptor, type Dispatcher } from './undici.js';
import { BufferedRequest, decodeBody, type HttpReply } from './buffered-dispatch.js';
import { proxySettings } from './proxy-env.js';

export { proxySettings } from './proxy-env.js';

export interface FetchOptions {
  /** Connections kept per origin: the run's concurrency. */
  connections: number;
  /** The environment the proxy variables are read from (process.env merged with .env). */
  env?: Record<string, string | undefined>;
  /** A dispatcher made by dispatcherFor, to share its connections; one of its own otherwise. */
  dispatcher?: Dispatcher;
}

export type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** How long an idle connection is kept for the next call; servers usually keep theirs 5 to 60 s. */
const KEEP_ALIVE_MS = 30_000;
const MAX_REDIRECTS = 5;

export function createFetch(opts: FetchOptions): Fetch {
  const dispatcher = redirecting(opts.dispatcher ?? dispatcherFor(opts));
  return async (input, init = {}) => {
    const req = await requestParts(input, init);
    const signal = req.signal;
    if (signal?.aborted) throw abortError(signal);
    const pending = new BufferedRequest();
    if (signal) {
      const onAbort = () => pending.cancel(abortError(signal) as Error);
      signal.addEventListener('abort', onAbort, { once: true });
      pending.onEnd = () => signal.removeEventListener('abort', onAbort);
    }
    let reply: HttpReply;
    try {
      reply = await pending.send(dispatcher, {
        origin: req.url.origin,
        path: `${req.url.pathname}${req.url.search}`,
        method: req.method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body,
        headersTimeout: 0,
        bodyTimeout: 0,
      }).done;
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      throw err;
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(reply.headers)) {
      // The body is decoded: these described it as it came.
      if (v === undefined || (reply.decoded && (k === 'content-encoding' || k === 'content-length'))) continue;
      for (const x of Array.isArray(v) ? v : [v]) headers.append(k, x);
    }
    return new Response(reply.status === 204 || reply.status === 304 ? null : reply.body, { status: reply.status, headers });
  };
}

/** The same dispatcher, following redirects as fetch does. */
export function redirecting(dispatcher: Dispatcher): Dispatcher {
  return dispatcher.compose(redirectInterceptor({ maxRedirections: MAX_REDIRECTS }));
}

export function dispatcherFor(opts: FetchOptions): Dispatcher {
  const connections = Math.max(1, Math.floor(opts.connections));
  const common = { connections, keepAliveTimeout: KEEP_ALIVE_MS, keepAliveMaxTimeout: 10 * KEEP_ALIVE_MS };
  const proxy = proxySettings(opts.env ?? {});
  return proxy ? new EnvHttpProxyAgent({ ...common, ...proxy }) : new Agent(common);
}

interface RequestParts {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  signal?: AbortSignal;
}

/** A URL plus init, or a `Request` (whatever its class) plus init overriding it. */
async function requestParts(input: string | URL | Request, init: RequestInit): Promise<RequestParts> {
  const fromRequest = typeof input === 'string' || input instanceof URL ? undefined : input;
  const headers: Record<string, string> = {};
  new Headers(init.headers ?? fromRequest?.headers).forEach((v, k) => (headers[k] = v));
  const body = init.body !== undefined ? await bytesOf(init.body) : fromRequest?.body ? Buffer.from(await fromRequest.arrayBuffer()) : undefined;
  return {
    url: new URL(fromRequest ? fromRequest.url : String(input)),
    method: (init.method ?? fromRequest?.method ?? 'GET').toUpperCase(),
    headers,
    body,
    signal: init.signal ?? fromRequest?.signal ?? undefined,
  };
}

async function bytesOf(body: RequestInit['body']): Promise<string | Buffer | undefined> {
  if (body === null || body === undefined) return undefined;
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // FormData, Blob, URLSearchParams, streams: let the platform encode them.
  return Buffer.from(await new Response(body).arrayBuffer());
}

/** Undoes Content-Encoding, as fetch does; the headers then describe the decoded body. */
export function decode(bytes: Buffer, headers: Headers): Buffer {
  const out = decodeBody(bytes, headers.get('content-encoding'));
  if (out !== bytes) {
    headers.delete('content-encoding');
    headers.delete('content-length');
  }
  return out;
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
