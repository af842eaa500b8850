// One HTTP request through an undici dispatcher, its answer collected into one
// buffer and decoded as fetch would: the common ground of the lean path and of the
// `fetch` the SDKs get. undici's own request() would add a stream per answer;
// aigov never streams. A failure has the shape of a failed fetch (a TypeError with
// the cause), so both paths' errors read alike.
import type { Dispatcher } from './undici.js';
import { brotliDecompressSync, gunzipSync, inflateSync } from 'node:zlib';

export interface HttpReply {
  status: number;
  /** Lower-case names, as undici parses them. */
  headers: Record<string, string | string[] | undefined>;
  /** Decoded: Content-Encoding undone. */
  body: Buffer;
  /** Whether the body was decoded (then `content-encoding` and `content-length` describe it as it came). */
  decoded: boolean;
}

export interface HttpRequest {
  origin: string;
  /** Path and query. */
  path: string;
  method: Dispatcher.HttpMethod;
  headers: Record<string, string>;
  body?: string | Buffer;
}

/**
 * What undici is asked to send: the request with its own timers off, since the
 * caller's deadline governs (one per provider, deadlines.ts). Built once per attempt.
 */
export type DispatchRequest = HttpRequest & { headersTimeout: 0; bodyTimeout: 0 };

/** A request in flight: `done` settles once; `cancel` ends it early with `reason`. */
export class BufferedRequest implements Dispatcher.DispatchHandler {
  readonly done: Promise<HttpReply>;
  #resolve!: (reply: HttpReply) => void;
  #reject!: (err: unknown) => void;
  #settled = false;
  #controller?: Dispatcher.DispatchController;
  #reason?: Error;
  #status = 0;
  #headers: HttpReply['headers'] = {};
  #chunks: Buffer[] = [];
  /** Called once when the request ends, however it ends. */
  onEnd?: () => void;

  constructor() {
    this.done = new Promise<HttpReply>((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
    });
  }

  /** Sends it; call once. */
  send(via: Dispatcher, request: DispatchRequest): this {
    if (!this.#settled) via.dispatch(request, this);
    return this;
  }

  cancel(reason: Error): void {
    if (this.#settled) return;
    this.#reason = reason;
    this.#controller?.abort(reason);
    this.#finish(reason);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.#controller = controller;
    // Cancelled while it waited for a connection.
    if (this.#reason) controller.abort(this.#reason);
  }

  onResponseStart(_c: Dispatcher.DispatchController, statusCode: number, headers: HttpReply['headers']): void {
    this.#status = statusCode;
    this.#headers = headers;
  }

  onResponseData(_c: Dispatcher.DispatchController, chunk: Buffer): void {
    this.#chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.#settled) return;
    const chunks = this.#chunks;
    const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const encoding = header(this.#headers, 'content-encoding');
    let body: Buffer;
    try {
      body = decodeBody(bytes, encoding);
    } catch (err) {
      return this.#finish(undecodable(encoding, err));
    }
    this.#finish(undefined, { status: this.#status, headers: this.#headers, body, decoded: body !== bytes });
  }

  onResponseError(_c: Dispatcher.DispatchController | null, err: Error): void {
    this.#finish(this.#reason ?? Object.assign(new TypeError('fetch failed'), { cause: err }));
  }

  #finish(err: unknown, reply?: HttpReply): void {
    if (this.#settled) return;
    this.#settled = true;
    this.#chunks = [];
    this.onEnd?.();
    if (err) this.#reject(err);
    else this.#resolve(reply!);
  }
}

/** One header's value, repeated ones joined as fetch's Headers does. */
export function header(headers: HttpReply['headers'], name: string): string | null {
  const v = headers[name];
  if (v === undefined) return null;
  return Array.isArray(v) ? v.join(', ') : v;
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
