// The hot loop's HTTP: one POST per attempt, the answer collected into one buffer.
// No Request, Response, Headers or web stream objects, and no per-attempt
// controller or timer: the deadline and the caller's abort go through the
// provider's one Deadlines.
//
// Where no proxy is set, a request goes over aigov's own HTTP/1.1 pool for its
// origin (h1.ts); through a proxy it goes to the provider's undici Agent (the
// one its SDK uses too, so proxies and connections are shared). Redirects are
// rare for an API, so only a 3xx answer with a Location is sent again through
// the redirect-following dispatcher, which then takes exactly the path the SDKs'
// fetch takes.
import { BufferedRequest, header, type HttpReply } from './buffered-dispatch.js';
import type { Deadlines } from './deadlines.js';
import { createH1Pool, type H1Pool, type H1Target } from './h1.js';
import type { Dispatcher } from './undici.js';

export type { HttpReply } from './buffered-dispatch.js';

export interface HttpTarget {
  origin: string;
  /** Path and query. */
  path: string;
  /** Sent with every request, built once. */
  headers: Record<string, string>;
}

/** The deadline passed: the caller turns it into its timeout error. */
export class DeadlineError extends Error {
  constructor() {
    super('the deadline passed');
    this.name = 'DeadlineError';
  }
}

/** A dispatcher, or how to get one the first time one is needed (undici is loaded only then). */
export type DispatcherSource = Dispatcher | (() => Promise<Dispatcher>);

export interface LeanHttp {
  post(target: HttpTarget, body: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<HttpReply>;
  /** Closes the sockets of its own pools. */
  close(): void;
}

export interface LeanHttpOptions {
  /**
   * Sockets kept per origin (the run's concurrency) in aigov's own pool; without
   * it (where a proxy is set) every request goes through the dispatcher.
   */
  connections?: number;
  keepAliveMs?: number;
}

/** How long an idle connection is kept for the next call, as the undici Agent keeps its own. */
const KEEP_ALIVE_MS = 30_000;

export function createLeanHttp(dispatcher: DispatcherSource, redirecting: DispatcherSource, deadlines: Deadlines, opts: LeanHttpOptions = {}): LeanHttp {
  const connections = opts.connections;
  const pools = new Map<string, H1Pool>();
  const heads = new WeakMap<HttpTarget, H1Target>();
  const cancelWith = (opts: { signal?: AbortSignal }) => (why: 'timeout' | 'abort') => (why === 'timeout' ? new DeadlineError() : abortError(opts.signal));

  const direct = (target: HttpTarget, body: string, o: { timeoutMs: number; signal?: AbortSignal }): Promise<HttpReply> => {
    let pool = pools.get(target.origin);
    if (!pool) {
      pool = createH1Pool(new URL(target.origin), { connections: connections!, keepAliveMs: opts.keepAliveMs ?? KEEP_ALIVE_MS });
      pools.set(target.origin, pool);
    }
    let head = heads.get(target);
    if (!head) {
      head = pool.target(target.path, target.headers);
      heads.set(target, head);
    }
    const request = pool.prepare(head, body);
    const reason = cancelWith(o);
    request.onEnd = deadlines.add(o.timeoutMs, (why) => request.cancel(reason(why)), o.signal);
    pool.send(request);
    return request.done;
  };

  const dispatched = async (source: DispatcherSource, target: HttpTarget, body: string, o: { timeoutMs: number; signal?: AbortSignal }): Promise<HttpReply> => {
    const via = typeof source === 'function' ? await source() : source;
    const pending = new BufferedRequest();
    const reason = cancelWith(o);
    pending.onEnd = deadlines.add(o.timeoutMs, (why) => pending.cancel(reason(why)), o.signal);
    return pending.send(via, { origin: target.origin, path: target.path, method: 'POST', headers: target.headers, body, headersTimeout: 0, bodyTimeout: 0 }).done;
  };

  return {
    async post(target, body, o) {
      const reply = connections === undefined ? await dispatched(dispatcher, target, body, o) : await direct(target, body, o);
      if (reply.status < 300 || reply.status > 399 || !header(reply.headers, 'location')) return reply;
      return dispatched(redirecting, target, body, o);
    },
    close() {
      for (const pool of pools.values()) pool.destroy();
      pools.clear();
    },
  };
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
