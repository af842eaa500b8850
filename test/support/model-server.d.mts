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
  | { text: string; model?: string; logprobs?: { token: string; logprob: number }[] };

export type AnswerFn = (req: ModelServerRequest) => ModelServerAnswer | Promise<ModelServerAnswer>;

/** 401 and 404 go beyond the transient faults so that error mapping can be tested through the real SDKs. */
export type FaultKind = '429' | '500' | 'hang' | 'drop' | 'malformed' | '401' | '404';

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
