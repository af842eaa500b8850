// HTTP/1.1 for the hot loop's POSTs: a keep-alive pool of sockets to one origin,
// each request written with one write (its head built once per target), each
// answer parsed straight from the socket's chunks into one buffer. No request
// object, handler chain, header validation per call, parser crossing into wasm,
// or timer per request: measured on the bench's server, undici's dispatch costs
// about twice the main-thread CPU per call.
//
// What it does not do goes through undici instead (lean-http.ts): proxies, and
// following redirects. Failures are shaped as undici's are (a TypeError "fetch
// failed" whose cause names what happened), so toProviderError reads both alike.
import { channel } from 'node:diagnostics_channel';
import { createRequire } from 'node:module';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { decodeBody, header, undecodable, type HttpReply } from './buffered-dispatch.js';

/** Largest response head taken, as undici's default maxHeaderSize. */
const MAX_HEAD_BYTES = 16 * 1024;
const CRLF2 = Buffer.from('\r\n\r\n');
/** Told of each request as it is sent and each answer as it is read, for tools that watch (the benchmarks), as undici's channels are. */
const sentChannel = channel('aigov:http:request');
const answeredChannel = channel('aigov:http:answer');
// node:tls is loaded by the first https origin: a local server over http never needs it (some 6 ms to load).
const load = createRequire(import.meta.url);
let tlsConnect: typeof import('node:tls').connect | undefined;

/** A socket idle less than this is reused at once; one idle longer waits a turn of the event loop first. */
const FRESH_MS = 1000;
/** A header name as HTTP allows it. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export interface H1Options {
  /** Sockets kept open at most. */
  connections: number;
  /** How long an idle socket is kept for the next request (shortened to what the server says it keeps it). */
  keepAliveMs: number;
  /** For tests: the certificate authorities an https origin is checked against (the system's by default). */
  ca?: string | Buffer;
}

/** The part of a request built once per target: method, path, host and the fixed headers. */
export interface H1Target {
  /** Ends with `content-length: `; the length, a blank line and the body follow. */
  head: string;
  /** A header value that cannot be sent (a line break in it): every request fails with it, as undici's do. */
  invalid?: Error;
}

export interface H1Request {
  /** Settles once. */
  readonly done: Promise<HttpReply>;
  /** Ends it now with `reason` (a deadline or an abort), wherever it is; before it is sent, it is never sent. */
  cancel(reason: Error): void;
  /** Called once when it ends, however it ends. */
  onEnd?: () => void;
}

export interface H1Pool {
  target(path: string, headers: Record<string, string>): H1Target;
  /** A POST of `body` to the target, not sent yet: `send` sends it (unless it was cancelled meanwhile). */
  prepare(target: H1Target, body: string): H1Request;
  send(request: H1Request): void;
  /** Closes every socket; requests in flight fail. */
  destroy(): void;
}

/** An error shaped as undici's: "fetch failed" with the reason as its cause. */
export function fetchFailed(cause: Error): TypeError {
  return Object.assign(new TypeError('fetch failed'), { cause });
}

function socketError(message: string): Error {
  return Object.assign(new Error(message), { name: 'SocketError', code: 'UND_ERR_SOCKET' });
}

function parseError(message: string): Error {
  return Object.assign(new Error(message), { name: 'HTTPParserError', code: 'HPE_INVALID' });
}

export function createH1Pool(origin: URL, opts: H1Options): H1Pool {
  const tls = origin.protocol === 'https:';
  const host = origin.hostname.startsWith('[') ? origin.hostname.slice(1, -1) : origin.hostname;
  const port = Number(origin.port) || (tls ? 443 : 80);
  const hostHeader = origin.host;
  const max = Math.max(1, Math.floor(opts.connections));
  const idle: Conn[] = [];
  const waiting: Pending[] = [];
  let open = 0;
  let destroyed = false;
  let sweeper: ReturnType<typeof setInterval> | undefined;

  // As undici does: the TLS session of one connection resumed by the next, which then skips a full handshake.
  let session: Buffer | undefined;
  const connect = (): Socket => {
    if (!tls) return netConnect({ host, port });
    tlsConnect ??= (load('node:tls') as typeof import('node:tls')).connect;
    const socket = tlsConnect({ host, port, servername: isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'], session, ...(opts.ca ? { ca: opts.ca } : {}) });
    socket.on('session', (s: Buffer) => (session = s));
    return socket;
  };

  const sweep = () => {
    const now = performance.now();
    for (let i = idle.length - 1; i >= 0; i--) if (now - idle[i].idleSince >= idle[i].keepAliveMs) idle.splice(i, 1)[0].close();
    if (!idle.length && sweeper) {
      clearInterval(sweeper);
      sweeper = undefined;
    }
  };

  const release = (c: Conn) => {
    if (destroyed) return c.close();
    const next = waiting.shift();
    if (next) return c.start(next);
    c.idleSince = performance.now();
    c.socket.unref();
    idle.push(c);
    if (!sweeper) {
      sweeper = setInterval(sweep, 1000);
      sweeper.unref();
    }
  };

  const gone = (c: Conn) => {
    open--;
    const i = idle.indexOf(c);
    if (i >= 0) idle.splice(i, 1);
    // A socket freed: one that waited may connect now.
    const next = waiting.shift();
    if (next) dispatch(next);
  };

  const reuse = (c: Conn, p: Pending, idleMs: number) => {
    if (idleMs < FRESH_MS) return c.start(p);
    // Idle a while: one turn of the event loop first, to hear of a close the server
    // sent meanwhile (undici does this before every reuse; a call loop reuses its
    // sockets within microseconds, where no server has closed one).
    setImmediate(() => {
      if (p.settled) return c.usable() ? release(c) : undefined;
      if (c.usable()) c.start(p);
      else dispatch(p);
    });
  };

  const dispatch = (p: Pending) => {
    while (idle.length) {
      const c = idle.pop()!;
      const idleMs = performance.now() - c.idleSince;
      // Past the time the server keeps it: it may be closing as the request goes out.
      if (c.usable() && idleMs < c.keepAliveMs) return reuse(c, p, idleMs);
      c.close();
    }
    if (open < max) {
      open++;
      new Conn(connect(), release, gone, opts.keepAliveMs).start(p);
      return;
    }
    waiting.push(p);
  };

  return {
    target(path, headers) {
      let head = `POST ${path} HTTP/1.1\r\nhost: ${hostHeader}\r\nconnection: keep-alive\r\n`;
      let invalid: Error | undefined;
      for (const [k, v] of Object.entries(headers)) {
        if (!TOKEN.test(k) || /[\r\n\0]/.test(v)) invalid ??= Object.assign(new Error(`invalid ${k} header`), { name: 'InvalidArgumentError', code: 'UND_ERR_INVALID_ARG' });
        head += `${k}: ${v}\r\n`;
      }
      return { head: `${head}content-length: `, invalid };
    },
    prepare(target, body) {
      const p = new Pending(`${target.head}${Buffer.byteLength(body)}\r\n\r\n${body}`, waiting);
      if (target.invalid) p.invalid = target.invalid;
      return p;
    },
    send(request) {
      const p = request as Pending;
      if (p.settled) return;
      if (p.invalid) p.fail(fetchFailed(p.invalid));
      else if (destroyed) p.fail(fetchFailed(socketError('the client is closed')));
      else dispatch(p);
    },
    destroy() {
      destroyed = true;
      for (const c of idle.splice(0)) c.close();
      for (const p of waiting.splice(0)) p.fail(fetchFailed(socketError('the client is closed')));
      if (sweeper) clearInterval(sweeper);
    },
  };
}

/** A request: waiting for a socket, then on one. */
class Pending implements H1Request {
  readonly done: Promise<HttpReply>;
  readonly text: string;
  resolve!: (reply: HttpReply) => void;
  reject!: (err: unknown) => void;
  settled = false;
  conn?: Conn;
  invalid?: Error;
  onEnd?: () => void;
  readonly #waiting: Pending[];

  constructor(text: string, waiting: Pending[]) {
    this.text = text;
    this.#waiting = waiting;
    this.done = new Promise<HttpReply>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  cancel(reason: Error): void {
    if (this.settled) return;
    if (this.conn) return this.conn.abort(reason);
    const i = this.#waiting.indexOf(this);
    if (i >= 0) this.#waiting.splice(i, 1);
    this.fail(reason);
  }

  fail(err: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.onEnd?.();
    this.reject(err);
  }

  succeed(reply: HttpReply): void {
    if (this.settled) return;
    this.settled = true;
    this.onEnd?.();
    this.resolve(reply);
  }
}

const enum State {
  Head,
  Length,
  Chunked,
  UntilClose,
}

/** One socket and the answer being read from it. */
class Conn {
  readonly socket: Socket;
  idleSince = 0;
  keepAliveMs: number;
  #current?: Pending;
  #closed = false;
  #ended = false;
  #state = State.Head;
  #head: Buffer | undefined;
  #status = 0;
  #headers: HttpReply['headers'] = {};
  #chunks: Buffer[] = [];
  #left = 0;
  #chunkHead: Buffer | undefined;
  #trailer = false;
  #keepAlive = true;
  /** An answer was read to its end and the socket not yet settled. */
  #answered = false;
  readonly #release: (c: Conn) => void;
  readonly #gone: (c: Conn) => void;
  readonly #defaultKeepAliveMs: number;

  constructor(socket: Socket, release: (c: Conn) => void, gone: (c: Conn) => void, keepAliveMs: number) {
    this.socket = socket;
    this.#release = release;
    this.#gone = gone;
    this.keepAliveMs = keepAliveMs;
    this.#defaultKeepAliveMs = keepAliveMs;
    socket.setNoDelay(true);
    // As undici's sockets: a peer that vanished is noticed even while an answer is awaited for long.
    socket.setKeepAlive(true, 60_000);
    socket.on('data', (d: Buffer) => this.#data(d));
    socket.on('end', () => this.#onEnd());
    socket.on('error', (err: Error) => this.#fail(err));
    socket.on('close', () => this.#onClose());
  }

  usable(): boolean {
    return !this.#closed && !this.#ended && !this.socket.destroyed;
  }

  start(p: Pending): void {
    if (sentChannel.hasSubscribers) sentChannel.publish({ request: p });
    this.#current = p;
    p.conn = this;
    this.#state = State.Head;
    this.#head = undefined;
    this.#chunks = [];
    this.#keepAlive = true;
    this.socket.ref();
    this.socket.write(p.text);
  }

  abort(reason: Error): void {
    const p = this.#current;
    this.#current = undefined;
    p?.fail(reason);
    this.close();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.socket.destroy();
  }

  #fail(err: Error): void {
    const p = this.#current;
    this.#current = undefined;
    p?.fail(fetchFailed(err));
    this.close();
  }

  #onEnd(): void {
    this.#ended = true;
    if (this.#current && this.#state === State.UntilClose) this.#finish();
    else if (this.#current) return this.#fail(socketError('other side closed'));
    this.#answered = false;
    this.close();
  }

  #onClose(): void {
    this.#closed = true;
    if (this.#current) this.#fail(socketError('other side closed'));
    this.#gone(this);
  }

  #data(d: Buffer): void {
    if (!this.#current) {
      // Bytes nobody asked for: the socket cannot be trusted for another request.
      this.close();
      return;
    }
    let at = 0;
    try {
      at = this.#read(d);
    } finally {
      // Only once the chunk is read: bytes past the answer mean the socket cannot be reused.
      if (this.#answered) this.#settle(at < d.length);
    }
  }

  /** Reads `d` into the answer; returns how far it read. */
  #read(d: Buffer): number {
    let at = 0;
    while (at < d.length && this.#current) {
      if (this.#state === State.Head) {
        const buf = this.#head ? Buffer.concat([this.#head, d.subarray(at)]) : d.subarray(at);
        const end = buf.indexOf(CRLF2);
        if (end < 0) {
          if (buf.length > MAX_HEAD_BYTES) {
            this.#fail(parseError('the response head is too large'));
            return d.length;
          }
          this.#head = Buffer.from(buf);
          return d.length;
        }
        if (end > MAX_HEAD_BYTES) {
          this.#fail(parseError('the response head is too large'));
          return d.length;
        }
        const consumed = end + 4 - (this.#head ? this.#head.length : 0);
        this.#head = undefined;
        if (!this.#parseHead(buf.toString('latin1', 0, end))) return d.length;
        at += consumed;
        continue;
      }
      if (this.#state === State.Length) {
        const n = Math.min(this.#left, d.length - at);
        this.#chunks.push(d.subarray(at, at + n));
        at += n;
        this.#left -= n;
        if (this.#left === 0) this.#finish();
        continue;
      }
      if (this.#state === State.UntilClose) {
        this.#chunks.push(d.subarray(at));
        return d.length;
      }
      at = this.#chunked(d, at);
    }
    return at;
  }

  /** The status line and headers; false when it failed the request. */
  #parseHead(text: string): boolean {
    const lines = text.split('\r\n');
    const m = /^HTTP\/1\.([01]) (\d{3})(?: .*)?$/.exec(lines[0]);
    if (!m) {
      this.#fail(parseError(`not an HTTP/1.1 response: ${JSON.stringify(lines[0].slice(0, 80))}`));
      return false;
    }
    const status = Number(m[2]);
    const headers: HttpReply['headers'] = {};
    for (let i = 1; i < lines.length; i++) {
      const line = lines[i];
      const colon = line.indexOf(':');
      if (colon <= 0) {
        this.#fail(parseError(`a response header without a name: ${JSON.stringify(line.slice(0, 80))}`));
        return false;
      }
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const prior = headers[name];
      headers[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
    }
    // An informational answer (100 Continue, 103 Early Hints): the real one follows.
    if (status >= 100 && status < 200 && status !== 101) return true;
    this.#status = status;
    this.#headers = headers;
    const connection = String(headers.connection ?? '').toLowerCase();
    this.#keepAlive = m[1] === '1' ? !/\bclose\b/.test(connection) : /\bkeep-alive\b/.test(connection);
    const keepAlive = /timeout=(\d+)/i.exec(String(headers['keep-alive'] ?? ''));
    // As undici does: a second less than the server says, so the socket is not reused as the server closes it.
    this.keepAliveMs = keepAlive ? Math.min(this.#defaultKeepAliveMs, Math.max(0, Number(keepAlive[1]) * 1000 - 1000)) : this.#defaultKeepAliveMs;
    if (status === 204 || status === 304) {
      this.#finish();
      return true;
    }
    const te = String(headers['transfer-encoding'] ?? '').toLowerCase();
    if (te) {
      if (!/(^|,)\s*chunked\s*$/.test(te)) {
        this.#keepAlive = false;
        this.#state = State.UntilClose;
        return true;
      }
      this.#state = State.Chunked;
      this.#left = -1;
      this.#trailer = false;
      this.#chunkHead = undefined;
      return true;
    }
    const cl = headers['content-length'];
    if (cl !== undefined) {
      const n = Array.isArray(cl) ? NaN : /^\d+$/.test(cl) ? Number(cl) : NaN;
      if (!Number.isSafeInteger(n)) {
        this.#fail(parseError(`an invalid content-length: ${JSON.stringify(cl)}`));
        return false;
      }
      this.#left = n;
      this.#state = State.Length;
      if (n === 0) this.#finish();
      return true;
    }
    this.#keepAlive = false;
    this.#state = State.UntilClose;
    return true;
  }

  /** Reads chunked framing from `at`; returns where it stopped. */
  #chunked(d: Buffer, at: number): number {
    while (at < d.length && this.#current) {
      if (this.#left > 0) {
        const n = Math.min(this.#left, d.length - at);
        this.#chunks.push(d.subarray(at, at + n));
        at += n;
        this.#left -= n;
        if (this.#left === 0) this.#left = -2; // its CRLF follows
        continue;
      }
      // A size line, the CRLF after a chunk, or a trailer line: all end at a CRLF.
      const buf = this.#chunkHead ? Buffer.concat([this.#chunkHead, d.subarray(at)]) : d.subarray(at);
      const eol = buf.indexOf('\r\n');
      if (eol < 0) {
        if (buf.length > MAX_HEAD_BYTES) {
          this.#fail(parseError('a chunk size line is too long'));
          return d.length;
        }
        this.#chunkHead = Buffer.from(buf);
        return d.length;
      }
      at += eol + 2 - (this.#chunkHead ? this.#chunkHead.length : 0);
      this.#chunkHead = undefined;
      const line = buf.toString('latin1', 0, eol);
      if (this.#left === -2) {
        if (line !== '') {
          this.#fail(parseError('a chunk is not followed by CRLF'));
          return d.length;
        }
        this.#left = -1;
        continue;
      }
      if (this.#trailer) {
        if (line === '') this.#finish();
        continue;
      }
      const size = /^([0-9a-fA-F]+)(;.*)?$/.exec(line.trim());
      if (!size) {
        this.#fail(parseError(`an invalid chunk size: ${JSON.stringify(line.slice(0, 40))}`));
        return d.length;
      }
      const n = parseInt(size[1], 16);
      if (n === 0) this.#trailer = true;
      else this.#left = n;
    }
    return at;
  }

  /** After an answer: the socket back to the pool, or closed when it cannot take another request. */
  #settle(unread: boolean): void {
    this.#answered = false;
    if (this.#keepAlive && !unread && this.usable()) this.#release(this);
    else this.close();
  }

  #finish(): void {
    const p = this.#current;
    if (!p) return;
    this.#current = undefined;
    this.#answered = true;
    const chunks = this.#chunks;
    this.#chunks = [];
    const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const status = this.#status;
    const headers = this.#headers;
    p.conn = undefined;
    const encoding = header(headers, 'content-encoding');
    let body: Buffer;
    try {
      body = decodeBody(bytes, encoding);
    } catch (err) {
      return p.fail(undecodable(encoding, err));
    }
    if (answeredChannel.hasSubscribers) answeredChannel.publish({ request: p, status });
    p.succeed({ status, headers, body, decoded: body !== bytes });
  }
}
