// The hot loop's HTTP: one dispatch per attempt over the provider's own keep-alive
// Agent (the one its SDK uses too, so proxies and connections are shared), the
// answer collected into one buffer. No Request, Response, Headers or web stream
// objects, and no per-attempt controller or timer: the deadline and the caller's
// abort go through the provider's one Deadlines.
//
// Redirects are rare for an API, so an attempt goes straight to the Agent and only a
// 3xx answer with a Location is sent again through the redirect-following
// dispatcher, which then takes exactly the path the SDKs' fetch takes.
import { BufferedRequest, header, type HttpReply } from './buffered-dispatch.js';
import type { Deadlines } from './deadlines.js';
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

export interface LeanHttp {
  post(target: HttpTarget, body: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<HttpReply>;
}

export function createLeanHttp(dispatcher: Dispatcher, redirecting: Dispatcher, deadlines: Deadlines): LeanHttp {
  const attempt = (via: Dispatcher, target: HttpTarget, body: string, opts: { timeoutMs: number; signal?: AbortSignal }): Promise<HttpReply> => {
    const pending = new BufferedRequest();
    pending.onEnd = deadlines.add(opts.timeoutMs, (why) => pending.cancel(why === 'timeout' ? new DeadlineError() : abortError(opts.signal)), opts.signal);
    return pending.send(via, { origin: target.origin, path: target.path, method: 'POST', headers: target.headers, body, headersTimeout: 0, bodyTimeout: 0 }).done;
  };
  return {
    async post(target, body, opts) {
      const reply = await attempt(dispatcher, target, body, opts);
      if (reply.status < 300 || reply.status > 399 || !header(reply.headers, 'location')) return reply;
      return attempt(redirecting, target, body, opts);
    },
  };
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
