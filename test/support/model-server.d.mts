export type ModelServerProvider = 'openai' | 'anthropic';

export interface ModelServerRequest {
  provider: ModelServerProvider;
  /** The requested model id (an alias stays an alias here). */
  model: string;
  /** Every message as plain text; an Anthropic top-level `system` comes first with role system. */
  messages: { role: string; content: string }[];
  /** The raw JSON body the client sent. */
  body: any;
}

export type ModelServerAnswer =
  | string
  | {
      text: string;
      /** The model name to report for this answer (wins over `serveModel` and `aliases`). */
      model?: string;
      logprobs?: { token: string; logprob: number }[];
      /** Report the answer as cut off at the token limit (`finish_reason: length`, `stop_reason: max_tokens`). */
      truncated?: boolean;
    };

export type AnswerFn = (req: ModelServerRequest) => ModelServerAnswer | Promise<ModelServerAnswer>;

/** 400, 401 and 404 go beyond the transient faults so that error mapping can be tested through the real SDKs. */
export type FaultKind = '429' | '500' | 'hang' | 'drop' | 'malformed' | '400' | '401' | '404';

export interface ModelServerOptions {
  /** Added before every answer. */
  latencyMs?: number;
  /** What GET /models lists. */
  models?: { openai?: string[]; anthropic?: string[] };
  /** Requested alias -> model id echoed back in responses. */
  aliases?: Record<string, string>;
  /** Default answer: "ok". */
  answer?: AnswerFn;
  /** Sent as Retry-After by the 429 fault (default 0). */
  retryAfterSeconds?: number;
  /** Keep every request in `requests` (default true); turn off under load. */
  record?: boolean;
  // How real servers differ from the reference APIs. Every one is off by default.
  /** Ignore the requested model and report this name in every answer, as llama.cpp's llama-server does. */
  serveModel?: string;
  /** false: leave `system_fingerprint` out of OpenAI answers, as most compatible servers do (default true). */
  systemFingerprint?: boolean;
  /**
   * Report cached input tokens. OpenAI: `prompt_tokens` includes `read`, reported again as
   * `prompt_tokens_details.cached_tokens` (OpenAI reports no cache writes). Anthropic:
   * `cache_read_input_tokens` and `cache_creation_input_tokens`, apart from `input_tokens`.
   */
  cachedTokens?: { read?: number; write?: number };
  /** Alternatives per token when a request asks for logprobs without `top_logprobs` (default 0; many servers send 20). */
  defaultTopLogprobs?: number;
  /** `ignore` (default): answer whatever `response_format` says; `refuse`: a 400 naming response_format for `json_schema`. */
  jsonSchema?: 'ignore' | 'refuse';
  /** gzip every answer (content-encoding: gzip) whatever the client asked for, as some proxies do. */
  gzip?: boolean;
  /** Cut an answer longer than the request's `max_tokens` (counted in words) and report it truncated. */
  enforceMaxTokens?: boolean;
}

export interface ReceivedRequest {
  provider: ModelServerProvider | null;
  path: string;
  body: any;
  headers: Record<string, string | string[] | undefined>;
}

export interface ModelServer {
  /** http://127.0.0.1:PORT */
  url: string;
  /** `${url}/openai/v1` */
  openaiBaseURL: string;
  /** `${url}/anthropic` (the Anthropic SDK appends /v1/...) */
  anthropicBaseURL: string;
  /** Every request received, in order. */
  requests: ReceivedRequest[];
  /** The next `times` (default 1) completion requests fail that way. */
  fail(kind: FaultKind, times?: number): void;
  /** Drops every fault still queued. */
  clearFaults(): void;
  setAnswer(fn: AnswerFn): void;
  setLatency(ms: number): void;
  close(): Promise<void>;
}

export function startModelServer(opts?: ModelServerOptions): Promise<ModelServer>;
