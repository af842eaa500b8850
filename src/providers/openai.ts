// OpenAI and every OpenAI-compatible server (Azure, vLLM, Ollama, LiteLLM) through `baseURL`.
// The SDK's own retries are off: retrying is the gateway's job, with one policy for all providers.
import OpenAI from 'openai';
import { ProviderError } from '../errors.js';
import { apiKeyFrom, sdkGuard } from './sdk-call.js';
import { nodeFetch } from './node-fetch.js';
import type { ModelRequest, ModelResponse, Provider, ProviderSettings, TokenLogprob } from './types.js';

export function create(settings: ProviderSettings, env: Record<string, string | undefined>): Provider {
  const keyEnv = settings.apiKeyEnv ?? 'OPENAI_API_KEY';
  const client = new OpenAI({ apiKey: apiKeyFrom(env, keyEnv), baseURL: settings.baseURL, maxRetries: 0, fetch: nodeFetch });
  const name = settings.name;
  const guarded = sdkGuard(name, keyEnv);

  return {
    name,
    async complete(model, request, opts) {
      const started = performance.now();
      const res = await guarded(opts, (signal) =>
        client.chat.completions.create(body(model, request), { timeout: opts.timeoutMs, signal }),
      );
      return toResponse(name, res, performance.now() - started);
    },
    async listModels(opts) {
      return guarded(opts, async (signal) => {
        const ids: string[] = [];
        for await (const m of client.models.list({ timeout: opts.timeoutMs, signal })) ids.push(m.id);
        return ids;
      });
    },
  };
}

function body(model: string, request: ModelRequest): OpenAI.ChatCompletionCreateParamsNonStreaming {
  return {
    ...(request.params as object),
    model,
    messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
    ...(request.json ? { response_format: { type: 'json_object' as const } } : {}),
    ...(request.logprobs ? { logprobs: true } : {}),
  };
}

function toResponse(provider: string, res: OpenAI.ChatCompletion, latencyMs: number): ModelResponse {
  const choice = res?.choices?.[0];
  const content = choice?.message?.content;
  if (!choice || (typeof content !== 'string' && content !== null)) {
    throw new ProviderError('malformed', `${provider} answered without a message in choices[0]`);
  }
  const logprobs = choice.logprobs?.content;
  return {
    text: content ?? '',
    modelReturned: typeof res.model === 'string' ? res.model : null,
    systemFingerprint: typeof res.system_fingerprint === 'string' ? res.system_fingerprint : null,
    tokens: { input: res.usage?.prompt_tokens ?? 0, output: res.usage?.completion_tokens ?? 0 },
    latencyMs: Math.round(latencyMs),
    logprobs: Array.isArray(logprobs) ? logprobs.map((t): TokenLogprob => ({ token: t.token, logprob: t.logprob })) : null,
  };
}
