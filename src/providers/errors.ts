// Turns whatever an SDK, fetch or a child process throws into a ProviderError whose
// kind decides retrying and whose message is one sentence a person can read.
// Duck-typed on purpose: importing the SDKs' error classes here would load the SDKs.
import { AigovError, asInternal, InterruptedError, ProviderError } from '../errors.js';

export interface ErrorContext {
  timeoutMs: number;
  /** The per-attempt deadline fired (as opposed to the caller aborting). */
  timedOut?: boolean;
  /** The caller's signal: once aborted, the error is the abort, not a provider failure. */
  signal?: AbortSignal;
  /** Named in the hint of an auth failure. */
  keyEnv?: string;
}

interface HeaderBag {
  get(name: string): string | null;
}

/** What the caller aborted with, when it is ours; otherwise the run was interrupted. */
export function abortReason(signal: AbortSignal): AigovError {
  return signal.reason instanceof AigovError ? signal.reason : new InterruptedError();
}

/** The wait a server asked for: `retry-after-ms`, else `Retry-After` in seconds or as an HTTP date. */
export function retryAfterMs(headers: HeaderBag | undefined, now: number = Date.now()): number | undefined {
  if (!headers || typeof headers.get !== 'function') return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '' && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers.get('retry-after')?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** One attempt's signal: fires when the caller aborts or when `timeoutMs` has passed. */
export function deadline(timeoutMs: number, outer?: AbortSignal): { signal: AbortSignal; timedOut: () => boolean; dispose: () => void } {
  const controller = new AbortController();
  let fired = false;
  const timer = setTimeout(() => {
    fired = true;
    controller.abort();
  }, timeoutMs);
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) onAbort();
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    timedOut: () => fired,
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

const NETWORK_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);
const NETWORK_TEXT = /fetch failed|terminated|socket hang up|other side closed|connection error|ECONNRESET|ECONNREFUSED/i;

export function toProviderError(provider: string, err: unknown, ctx: ErrorContext): AigovError {
  if (err instanceof AigovError) return err;
  if (ctx.signal?.aborted) return abortReason(ctx.signal);
  if (ctx.timedOut) return timeout(provider, ctx.timeoutMs, err);
  const e = (err ?? {}) as Record<string, unknown>;
  if (typeof e.status === 'number') return fromStatus(provider, e.status, e, ctx);
  const chain = causes(err);
  const name = typeof e.name === 'string' ? e.name : '';
  if (/Timeout/.test(name) || chain.some((c) => c.code === 'ETIMEDOUT' || /timed? ?out/i.test(c.message))) return timeout(provider, ctx.timeoutMs, err);
  if (/UserAbort|AbortError/.test(name)) return new InterruptedError();
  if (chain.some((c) => c.name === 'SyntaxError')) {
    return new ProviderError('malformed', `${provider} sent a response that is not valid JSON (${deepest(chain)})`, { cause: err });
  }
  if (chain.some((c) => NETWORK_CODES.has(c.code) || NETWORK_TEXT.test(c.message))) {
    return new ProviderError('network', `${provider} connection failed: ${deepest(chain)}`, { cause: err });
  }
  // What is left and is a TypeError, RangeError or ReferenceError of its own (no cause:
  // fetch's failures carry theirs, and the wire's were named above) was thrown by code,
  // an adapter's or an SDK's: a bug, exit 70, never an answer the provider got wrong.
  if (isProgrammingError(err)) return asInternal(err, `the ${provider} provider threw`);
  return new ProviderError('malformed', `${provider} call failed: ${oneLine(chain[0]?.message || String(err))}`, { cause: err });
}

function isProgrammingError(err: unknown): boolean {
  return (err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError) && err.cause === undefined;
}

function fromStatus(provider: string, status: number, e: Record<string, unknown>, ctx: ErrorContext): ProviderError {
  const detail = apiMessage(e);
  const said = detail ? `: ${detail}` : '';
  const opts = { status, cause: e };
  if (status === 429) {
    const wait = retryAfterMs(e.headers as HeaderBag | undefined);
    return new ProviderError('rate_limit', `${provider} rate limit reached (HTTP 429)${said}`, { ...opts, retryAfterMs: wait });
  }
  if (status === 408) return new ProviderError('timeout', `${provider} timed out the request (HTTP 408)${said}`, opts);
  if (status >= 500) return new ProviderError('server', `${provider} server error (HTTP ${status})${said}`, opts);
  if (status === 401 || status === 403) {
    const hint = ctx.keyEnv ? `check ${ctx.keyEnv}` : undefined;
    return new ProviderError('auth', `${provider} refused the credentials (HTTP ${status})${said}`, { ...opts, hint });
  }
  if (status === 404) return new ProviderError('not_found', `${provider} does not know this model or endpoint (HTTP 404)${said}`, opts);
  return new ProviderError('bad_request', `${provider} rejected the request (HTTP ${status})${said}`, opts);
}

function timeout(provider: string, timeoutMs: number, cause: unknown): ProviderError {
  return new ProviderError('timeout', `${provider} did not answer within ${timeoutMs} ms`, { cause });
}

/** The provider's own words, from either SDK's error body, without the status prefix the SDKs add. */
function apiMessage(e: Record<string, unknown>): string {
  const body = e.error as Record<string, unknown> | undefined;
  const nested = body?.error as Record<string, unknown> | undefined;
  const candidates = [body?.message, nested?.message, typeof e.message === 'string' ? e.message.replace(/^\d{3}\s*/, '') : undefined];
  for (const c of candidates) {
    if (typeof c === 'string' && c.trim() && !/status code \(no body\)/.test(c)) return oneLine(c);
    if (c && typeof c === 'object') return oneLine(JSON.stringify(c));
  }
  return '';
}

interface CauseInfo {
  name: string;
  message: string;
  code: string;
}

function causes(err: unknown): CauseInfo[] {
  const out: CauseInfo[] = [];
  let cur: unknown = err;
  for (let depth = 0; cur && typeof cur === 'object' && depth < 6; depth++) {
    const c = cur as Record<string, unknown>;
    out.push({ name: String(c.name ?? ''), message: String(c.message ?? ''), code: String(c.code ?? '') });
    cur = c.cause;
  }
  if (!out.length) out.push({ name: '', message: String(err), code: '' });
  return out;
}

/** The root cause says what happened ("other side closed"); wrappers only say "fetch failed". */
function deepest(chain: CauseInfo[]): string {
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i].message.trim()) return oneLine(chain[i].message);
  return chain[0]?.code || 'unknown error';
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}
