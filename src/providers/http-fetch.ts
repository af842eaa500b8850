// The `fetch` the model SDKs call: undici's request API over one keep-alive Agent per
// provider, with as many connections per origin as calls may be in flight, and the
// answer buffered whole (aigov never streams). It handles what the hand-written
// client over node:http got wrong: compressed answers, redirects, `Request` objects,
// and HTTP(S)_PROXY / NO_PROXY from the environment.
//
// Not undici's `fetch` itself: measured with bench/compare-builds.mjs, its WHATWG
// streams cost about half as much CPU again per call, and the 5000-case run went
// from 135 to 180-206 MiB, over its 150 MiB budget.
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';
import { Agent, EnvHttpProxyAgent, interceptors, type Dispatcher } from 'undici';

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
    let status: number;
    let raw: Record<string, string | string[] | undefined>;
    let bytes: Buffer;
    try {
      const res = await dispatcher.request({ origin: req.url.origin, path: `${req.url.pathname}${req.url.search}`, method: req.method as Dispatcher.HttpMethod, headers: req.headers, body: req.body, signal });
      status = res.statusCode;
      raw = res.headers;
      bytes = Buffer.from(await res.body.arrayBuffer());
    } catch (err) {
      if (signal?.aborted) throw abortError(signal);
      // The shape the SDKs expect from a failed fetch: a TypeError with the cause.
      throw Object.assign(new TypeError('fetch failed'), { cause: err });
    }
    const headers = new Headers();
    for (const [k, v] of Object.entries(raw)) if (v !== undefined) for (const x of Array.isArray(v) ? v : [v]) headers.append(k, x);
    let body: Buffer;
    try {
      body = decode(bytes, headers);
    } catch (err) {
      throw undecodable(headers.get('content-encoding'), err);
    }
    return new Response(status === 204 || status === 304 ? null : body, { status, headers });
  };
}

/** The same dispatcher, following redirects as fetch does. */
export function redirecting(dispatcher: Dispatcher): Dispatcher {
  return dispatcher.compose(interceptors.redirect({ maxRedirections: MAX_REDIRECTS }));
}

export function dispatcherFor(opts: FetchOptions): Dispatcher {
  const connections = Math.max(1, Math.floor(opts.connections));
  const common = { connections, keepAliveTimeout: KEEP_ALIVE_MS, keepAliveMaxTimeout: 10 * KEEP_ALIVE_MS };
  const proxy = proxySettings(opts.env ?? {});
  return proxy ? new EnvHttpProxyAgent({ ...common, ...proxy }) : new Agent(common);
}

/** The proxy variables as curl reads them (lower case wins); undefined when none is set. */
export function proxySettings(env: Record<string, string | undefined>): { httpProxy?: string; httpsProxy?: string; noProxy?: string } | undefined {
  const pick = (name: string) => env[name.toLowerCase()] || env[name.toUpperCase()] || undefined;
  const httpProxy = pick('http_proxy');
  const httpsProxy = pick('https_proxy');
  if (!httpProxy && !httpsProxy) return undefined;
  return { httpProxy, httpsProxy: httpsProxy ?? httpProxy, noProxy: pick('no_proxy') ?? '' };
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

/** The body with `encoding` (a Content-Encoding value) undone; as it came where there is nothing aigov can undo. */
export function decodeBody(bytes: Buffer, encoding: string | null): Buffer {
  if (!encoding || !bytes.length) return bytes;
  const encodings = encoding
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter((e) => e && e !== 'identity');
  if (!encodings.length) return bytes;
  let out = bytes;
  // Listed in the order they were applied, so undone from the last.
  for (const e of encodings.reverse()) {
    if (e === 'gzip' || e === 'x-gzip') out = gunzipSync(out);
    else if (e === 'deflate') out = inflateSync(out);
    else if (e === 'br') out = brotliDecompressSync(out);
    else return bytes; // Unknown: hand it on as it came, the SDK will say it cannot read it.
  }
  return out;
}

/** A compressed body cut short in transit: as retryable as the dropped connection it likely was. */
export function undecodable(encoding: string | null, err: unknown): TypeError {
  return Object.assign(new TypeError('fetch failed'), { cause: new Error(`the answer could not be decompressed (${encoding}): ${(err as Error).message}`) });
}

function abortError(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('This operation was aborted', 'AbortError');
}
