// The hot loop's HTTP: one undici dispatch per attempt, over the provider's own
// keep-alive Agent (the one its SDK uses too, so proxies and connections are shared),
// the answer collected into one buffer and decoded as fetch would. No Request,
// Response, Headers or web stream objects, and no per-attempt controller or timer:
// the deadline and the caller's abort go through the provider's one Deadlines.
//
// Redirects are rare for an API, so an attempt goes straight to the Agent and only a
// 3xx answer with a Location is sent again through the redirect-following
// dispatcher, which then takes exactly the path the SDKs' fetch takes.
import type { Dispatcher } from 'undici';
import type { Deadlines } from './deadlines.js';
import { decodeBody, undecodable } from './http-fetch.js';

export interface HttpReply {
  status: number;
  /** Lower-case names, as undici parses them. */
  headers: Record<string, string | string[] | undefined>;
  /** Decoded: Content-Encoding undone. */
  body: Buffer;
}

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
  const attempt = (via: Dispatcher, target: HttpTarget, body: string, opts: { timeoutMs: number; signal?: AbortSignal }) =>
    new Promise<HttpReply>((resolve, reject) => {
      let settled = false;
      let controller: Dispatcher.DispatchController | undefined;
      let abortReason: Error | undefined;
      let status = 0;
      let headers: HttpReply['headers'] = {};
      const chunks: Buffer[] = [];
      const settle = (err: unknown, reply?: HttpReply) => {
        if (settled) return;
        settled = true;
        release();
        if (err) reject(err);
        else resolve(reply!);
      };
      const release = deadlines.add(
        opts.timeoutMs,
        (why) => {
          abortReason = why === 'timeout' ? new DeadlineError() : abortError(opts.signal);
          controller?.abort(abortReason);
          settle(abortReason);
        },
        opts.signal,
      );
      if (settled) return;
      via.dispatch(
        { origin: target.origin, path: target.path, method: 'POST', headers: target.headers, body, headersTimeout: 0, bodyTimeout: 0 },
        {
          onRequestStart(c) {
            controller = c;
            // Cancelled while it waited for a connection.
            if (abortReason) c.abort(abortReason);
          },
          onResponseStart(_c, statusCode, h) {
            status = statusCode;
            headers = h;
          },
          onResponseData(_c, chunk) {
            chunks.push(chunk);
          },
          onResponseEnd() {
            if (settled) return;
            const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
            let decoded: Buffer;
            try {
              decoded = decodeBody(bytes, header(headers, 'content-encoding'));
            } catch (err) {
              return settle(undecodable(header(headers, 'content-encoding'), err));
            }
            settle(undefined, { status, headers, body: decoded });
          },
          onResponseError(_c, err) {
            // The shape a failed fetch has, so both paths' errors read alike.
            settle(abortReason ?? Object.assign(new TypeError('fetch failed'), { cause: err }));
          },
        },
      );
    });

  return {
    async post(target, body, opts) {
      const reply = await attempt(dispatcher, target, body, opts);
      if (reply.status < 300 || reply.status > 399 || !header(reply.headers, 'location')) return reply;
      return attempt(redirecting, target, body, opts);
    },
  };
}

/** One header's value, repeated ones joined as fetch's Headers does. */
export function header(headers: HttpReply['headers'], name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
}

function abortError(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  return reason instanceof Error ? reason : new DOMException('This operation was aborted', 'AbortError');
}
