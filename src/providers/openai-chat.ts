// The lean chat-completions call: what the openai SDK does for
// `chat.completions.create` without streaming, retries or logging, done once per
// attempt instead of through its general request machinery (headers merged anew,
// debug details formatted with logging off, a Request, a Response and web streams
// per call). The URL and headers are built once per provider; the answer is parsed
// from one buffer. Its results and its errors are shaped as the SDK's are (an
// error carries `status`, `headers` and the body's `error`), so toProviderError
// and the schema fallback read both paths alike. The SDK stays in use for
// everything else: listing models, and any setting this path does not mirror.
import type { HttpReply, LeanHttp } from './lean-http.js';
import { header } from './buffered-dispatch.js';

export interface ChatEndpoint {
  /** The SDK's own default when the workspace names none. */
  baseURL: string;
  apiKey: string;
  /** OpenAI-Organization and OpenAI-Project, which the SDK reads from OPENAI_ORG_ID and OPENAI_PROJECT_ID. */
  organization?: string;
  project?: string;
}

export const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

/**
 * Whether the lean path sends what the SDK would: not where the SDK would add
 * headers of its own from the environment (OPENAI_CUSTOM_HEADERS), or where
 * AIGOV_OPENAI_SDK asks for the SDK.
 */
export function leanPathFits(aigovEnv: Record<string, string | undefined>, sdkEnv: Record<string, string | undefined>): boolean {
  return !truthy(aigovEnv.AIGOV_OPENAI_SDK) && !sdkEnv.OPENAI_CUSTOM_HEADERS;
}

/** The endpoint as the SDK would resolve it from the same settings and process environment. */
export function chatEndpoint(baseURL: string | undefined, apiKey: string, sdkEnv: Record<string, string | undefined>): ChatEndpoint {
  return {
    baseURL: baseURL || sdkEnv.OPENAI_BASE_URL || DEFAULT_BASE_URL,
    apiKey,
    organization: sdkEnv.OPENAI_ORG_ID || undefined,
    project: sdkEnv.OPENAI_PROJECT_ID || undefined,
  };
}

export type ChatCall = (body: object, opts: { timeoutMs: number; signal?: AbortSignal }) => Promise<unknown>;

export function leanChat(endpoint: ChatEndpoint, http: LeanHttp): ChatCall {
  // As the SDK joins them: one slash between the base and the path.
  const base = endpoint.baseURL;
  const url = new URL(`${base}${base.endsWith('/') ? '' : '/'}chat/completions`);
  const target = {
    origin: url.origin,
    path: `${url.pathname}${url.search}`,
    headers: {
      accept: 'application/json',
      'content-type': 'application/json',
      authorization: `Bearer ${endpoint.apiKey}`,
      'user-agent': 'aigov',
      ...(endpoint.organization ? { 'openai-organization': endpoint.organization } : {}),
      ...(endpoint.project ? { 'openai-project': endpoint.project } : {}),
    },
  };
  return async (body, opts) => parseReply(await http.post(target, JSON.stringify(body), opts));
}

/** The parsed body of a 2xx answer, as the SDK's defaultParseResponse reads it; an SDK-shaped error otherwise. */
export function parseReply(reply: HttpReply): unknown {
  if (reply.status < 200 || reply.status > 299) throw statusError(reply);
  if (reply.status === 204) return null;
  const mediaType = header(reply.headers, 'content-type')?.split(';')[0]?.trim();
  const text = utf8(reply.body);
  if (!(mediaType?.includes('application/json') || mediaType?.endsWith('+json'))) return text;
  if (header(reply.headers, 'content-length') === '0') return undefined;
  return JSON.parse(text);
}

/** An error with what the SDK's APIError carries: status, headers, the body's `error`, and its message. */
export class HttpStatusError extends Error {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly error: unknown;
  constructor(status: number, headers: HttpReply['headers'], body: unknown, text: string | undefined) {
    const error = body && typeof body === 'object' ? (body as Record<string, unknown>).error : undefined;
    super(statusMessage(status, error, text));
    this.name = 'HttpStatusError';
    this.status = status;
    this.headers = { get: (name) => header(headers, name.toLowerCase()) };
    this.error = error;
  }
}

function statusError(reply: HttpReply): HttpStatusError {
  const text = utf8(reply.body);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return new HttpStatusError(reply.status, reply.headers, json, json ? undefined : text);
}

/** The SDK's APIError.makeMessage. */
function statusMessage(status: number, error: unknown, text: string | undefined): string {
  const e = error as { message?: unknown } | undefined;
  const msg = e?.message ? (typeof e.message === 'string' ? e.message : JSON.stringify(e.message)) : error ? JSON.stringify(error) : text;
  return msg ? `${status} ${msg}` : `${status} status code (no body)`;
}

/** As fetch's text() decodes: UTF-8, a leading byte-order mark dropped. */
function utf8(bytes: Buffer): string {
  const text = bytes.toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function truthy(v: string | undefined): boolean {
  return !!v && !/^(0|false|no|off)$/i.test(v.trim());
}
