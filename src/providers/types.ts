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
  /** Ask for a JSON object (OpenAI response_format json_object; Anthropic: instructed). */
  json?: boolean;
  /** Ask for token log-probabilities (OpenAI only). */
  logprobs?: boolean;
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
  tokens: { input: number; output: number };
  latencyMs: number;
  logprobs?: TokenLogprob[] | null;
}

export interface CallOptions {
  timeoutMs: number;
  signal?: AbortSignal;
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
