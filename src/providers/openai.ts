// OpenAI and every OpenAI-compatible server (Azure, vLLM, Ollama, LiteLLM, llama.cpp)
// through `baseURL`. Chat completions take the lean path (openai-chat.ts) unless a
// setting asks for the SDK; listing models, and completions in that case, go through
// the official SDK, loaded only then. The lean path sends over aigov's own keep-alive
// pool (h1.ts), or through the proxy the environment names over the undici Agent the
// SDK uses too. The SDK's own retries are off: retrying is the gateway's job, with
// one policy for all providers.
import type OpenAI from 'openai';
import { ProviderError } from '../errors.js';
import { createDeadlines } from './deadlines.js';
import { toProviderError } from './errors.js';
import type { Fetch } from './http-fetch.js';
import { proxySettings } from './proxy-env.js';
import type { Dispatcher } from './undici.js';
import { createLeanHttp, DeadlineError } from './lean-http.js';
import { chatEndpoint, leanChat, leanPathFits, type ChatCall } from './openai-chat.js';
import { apiKeyFrom, sdkGuard, SILENT } from './sdk-call.js';
import type { CallOptions, ModelRequest, ModelResponse, Provider, ProviderRuntime, ProviderSettings, TokenLogprob } from './types.js';

interface Undici {
  dispatcher: Dispatcher;
  redirecting: Dispatcher;
  fetch: Fetch;
}

/** For tests: `sdk` sends completions through the SDK whatever the settings. */
export interface OpenAIPathOptions {
  path?: 'lean' | 'sdk';
}

export function create(settings: ProviderSettings, env: Record<string, string | undefined>, runtime: ProviderRuntime, paths: OpenAIPathOptions = {}): Provider {
  const keyEnv = settings.apiKeyEnv ?? 'OPENAI_API_KEY';
  const apiKey = apiKeyFrom(env, keyEnv);
  const name = settings.name;
  // undici (the SDK's fetch, proxies, redirects) is loaded the first time one of those is needed.
  let agent: Promise<Undici> | undefined;
  const undici = (): Promise<Undici> =>
    (agent ??= import('./http-fetch.js').then((m) => {
      const dispatcher = m.dispatcherFor({ connections: runtime.connections, env });
      return { dispatcher, redirecting: m.redirecting(dispatcher), fetch: m.createFetch({ connections: runtime.connections, env, dispatcher }) };
    }));
  // The SDK reads these from the process environment (not .env); the lean path mirrors it.
  const sdkEnv = process.env;
  let sdk: Promise<OpenAI> | undefined;
  const client = () =>
    (sdk ??= Promise.all([import('openai'), undici()]).then(([{ default: OpenAIClient }, u]) => new OpenAIClient({ apiKey, baseURL: settings.baseURL, maxRetries: 0, fetch: u.fetch, ...SILENT })));
  const guarded = sdkGuard(name, keyEnv);
  const lean: ChatCall | undefined =
    paths.path !== 'sdk' && leanPathFits(env, sdkEnv)
      ? leanChat(
          chatEndpoint(settings.baseURL, apiKey, sdkEnv),
          // Through a proxy, the Agent's own connections; otherwise aigov's pool, as many sockets as calls in flight.
          createLeanHttp(
            async () => (await undici()).dispatcher,
            async () => (await undici()).redirecting,
            createDeadlines(),
            proxySettings(env) ? {} : { connections: runtime.connections },
          ),
        )
      : undefined;
  // Models that refused a json_schema response_format: asked for json_object for the rest of the run.
  const noSchema = new Set<string>();

  const send = async (model: string, request: ModelRequest, opts: CallOptions, withSchema: boolean): Promise<OpenAI.ChatCompletion> => {
    if (!lean) return guarded(opts, async (signal) => (await client()).chat.completions.create(body(model, request, withSchema), { timeout: opts.timeoutMs, signal }));
    try {
      return (await lean(body(model, request, withSchema), opts)) as OpenAI.ChatCompletion;
    } catch (err) {
      throw toProviderError(name, err, { timeoutMs: opts.timeoutMs, timedOut: err instanceof DeadlineError, signal: opts.signal, keyEnv });
    }
  };

  return {
    name,
    async complete(model, request, opts) {
      const started = performance.now();
      const withSchema = !!request.json && !!request.schema && !noSchema.has(model);
      let res: OpenAI.ChatCompletion;
      try {
        res = await send(model, request, opts, withSchema);
      } catch (err) {
        if (!withSchema || !refusesSchema(err)) throw err;
        noSchema.add(model);
        runtime.onWarning(`${name}: ${model} does not take a JSON Schema as response_format; asking it for a JSON object instead, so the schema is checked only by aigov`);
        res = await send(model, request, opts, false);
      }
      return toResponse(name, res, performance.now() - started);
    },
    async listModels(opts) {
      return guarded(opts, async (signal) => {
        const ids: string[] = [];
        for await (const m of (await client()).models.list({ timeout: opts.timeoutMs, signal })) ids.push(m.id);
        return ids;
      });
    },
  };
}

/** The request as sent: the prompt's messages exactly as rendered, its params, and the API's own knobs. */
export function body(model: string, request: ModelRequest, withSchema = !!request.schema): OpenAI.ChatCompletionCreateParamsNonStreaming {
  return {
    // One alternative a token is all confidence needs; servers otherwise default to as many as 20.
    ...(request.logprobs ? { top_logprobs: 1 } : {}),
    ...(request.params as object),
    model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    ...(request.json ? { response_format: responseFormat(request, withSchema) } : {}),
    ...(request.logprobs ? { logprobs: true } : {}),
  };
}

function responseFormat(request: ModelRequest, withSchema: boolean): OpenAI.ChatCompletionCreateParams['response_format'] {
  const s = request.schema;
  if (!withSchema || !s) return { type: 'json_object' };
  return { type: 'json_schema', json_schema: { name: s.name, schema: s.schema, ...(s.strict === undefined ? {} : { strict: s.strict }) } };
}

/** A 400 that names response_format or json_schema: the server cannot enforce a schema. */
export function refusesSchema(err: unknown): boolean {
  if (!(err instanceof ProviderError) || err.kind !== 'bad_request') return false;
  const body = (err.cause as { error?: { param?: unknown } } | undefined)?.error;
  return body?.param === 'response_format' || /response_format|json_schema/i.test(err.message);
}

function toResponse(provider: string, res: OpenAI.ChatCompletion, latencyMs: number): ModelResponse {
  const choice = res?.choices?.[0];
  const content = choice?.message?.content;
  if (!choice || (typeof content !== 'string' && content !== null)) {
    throw new ProviderError('malformed', `${provider} answered without a message in choices[0]`);
  }
  const logprobs = choice.logprobs?.content;
  // prompt_tokens already counts the cached part; cached_tokens says how much of it was.
  const cached = res.usage?.prompt_tokens_details?.cached_tokens;
  return {
    text: content ?? '',
    modelReturned: typeof res.model === 'string' && res.model ? res.model : null,
    systemFingerprint: typeof res.system_fingerprint === 'string' ? res.system_fingerprint : null,
    tokens: { input: res.usage?.prompt_tokens ?? 0, output: res.usage?.completion_tokens ?? 0, ...(typeof cached === 'number' && cached > 0 ? { cacheRead: cached } : {}) },
    latencyMs: Math.round(latencyMs),
    logprobs: Array.isArray(logprobs) ? logprobs.map((t): TokenLogprob => ({ token: t.token, logprob: t.logprob })) : null,
    ...(choice.finish_reason === 'length' ? { truncated: true } : {}),
  };
}
