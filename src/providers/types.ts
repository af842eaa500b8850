// One small interface for every model provider. The eval engine and the library's
// `run` both talk to models only through it.

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A rendered, provider-neutral request. Its canonical JSON is part of the cache and fixture key. */
export interface ModelRequest {
  messages: ChatMessage[];
  /** temperature, max_tokens, top_p, stop, seed, ... passed through to the provider. */
  params: Record<string, unknown>;
  /** Ask for a JSON object through the API's own parameters (OpenAI `response_format`); no text is added to the messages. */
  json?: boolean;
  /** The output's JSON Schema, for servers that enforce one (OpenAI `response_format: json_schema`). Only with `json`. */
  schema?: OutputSchema;
  /** Ask for token log-probabilities (OpenAI only), with one alternative a token. */
  logprobs?: boolean;
}

export interface OutputSchema {
  /** Letters, digits, `_` and `-`, at most 64: what OpenAI accepts as `json_schema.name`. */
  name: string;
  schema: Record<string, unknown>;
  strict?: boolean;
}

/**
 * Tokens of one answer. `input` counts every input token, cached or not; `cacheRead`
 * and `cacheWrite` are the parts of it read from or written to the provider's prompt
 * cache (present only where the API reports them), priced apart where `pricing` says how.
 */
export interface TokenCounts {
  input: number;
  output: number;
  cacheRead?: number;
  cacheWrite?: number;
}

export interface TokenLogprob {
  token: string;
  logprob: number;
}

export interface ModelResponse {
  text: string;
  /** The model id the API says it used. */
  modelReturned: string | null;
  systemFingerprint: string | null;
  tokens: TokenCounts;
  latencyMs: number;
  logprobs?: TokenLogprob[] | null;
  /** Cut off at the token limit (OpenAI `finish_reason: length`, Anthropic `stop_reason: max_tokens`); absent otherwise. */
  truncated?: boolean;
}

export interface CallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
}

/** What a provider gets from the run besides its settings. */
export interface ProviderRuntime {
  /** Connections kept per origin: as many as calls may be in flight. */
  connections: number;
  /** aigov's own one-line notices (a deprecated model, a refused schema); the CLI prints them unless --quiet. */
  onWarning: (message: string) => void;
}

export interface Provider {
  readonly name: string;
  /** One attempt, no retries: failures throw ProviderError. */
  complete(model: string, request: ModelRequest, opts: CallOptions): Promise<ModelResponse>;
  /** Every model id the provider lists, or null where it cannot list. */
  listModels(opts: CallOptions): Promise<string[] | null>;
}

/** A provider as declared under `providers:` in aigov.yaml, with defaults applied. */
export interface ProviderSettings {
  name: string;
  type: 'openai' | 'anthropic' | 'exec';
  baseURL?: string;
  apiKeyEnv?: string;
  command?: string[];
  /** Working folder for exec providers: the workspace root. */
  cwd?: string;
}
