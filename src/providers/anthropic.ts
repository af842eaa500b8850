// Anthropic's Messages API. Differences from the chat format are settled here: system
// messages go to the top-level `system`, `max_tokens` is required, JSON is asked for in
// words (there is no JSON mode), and there are no log-probabilities.
import Anthropic from '@anthropic-ai/sdk';
import { ProviderError } from '../errors.js';
import { apiKeyFrom, sdkGuard } from './sdk-call.js';
import { nodeFetch } from './node-fetch.js';
import type { ModelRequest, ModelResponse, Provider, ProviderSettings } from './types.js';

export const DEFAULT_MAX_TOKENS = 1024;
export const JSON_INSTRUCTION = 'Respond with a single JSON object and nothing else.';

export function create(settings: ProviderSettings, env: Record<string, string | undefined>): Provider {
  const keyEnv = settings.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
  const client = new Anthropic({ apiKey: apiKeyFrom(env, keyEnv), baseURL: settings.baseURL, maxRetries: 0, fetch: nodeFetch });
  const name = settings.name;
  const guarded = sdkGuard(name, keyEnv);

  return {
    name,
    async complete(model, request, opts) {
      const started = performance.now();
      const res = await guarded(opts, (signal) => client.messages.create(body(model, request), { timeout: opts.timeoutMs, signal }));
      return toResponse(name, res, performance.now() - started);
    },
    async listModels(opts) {
      return guarded(opts, async (signal) => {
        const ids: string[] = [];
        for await (const m of client.models.list({}, { timeout: opts.timeoutMs, signal })) ids.push(m.id);
        return ids;
      });
    },
  };
}

export function body(model: string, request: ModelRequest): Anthropic.MessageCreateParamsNonStreaming {
  const { stop, ...params } = request.params as Record<string, unknown>;
  const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
  if (request.json) system.push(JSON_INSTRUCTION);
  return {
    max_tokens: DEFAULT_MAX_TOKENS,
    ...params,
    // The chat-style `stop` a prompt may carry is Anthropic's `stop_sequences`.
    ...(stop === undefined ? {} : { stop_sequences: Array.isArray(stop) ? stop.map(String) : [String(stop)] }),
    model,
    ...(system.length ? { system: system.join('\n\n') } : {}),
    messages: request.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role as 'user' | 'assistant', content: m.content })),
  } as Anthropic.MessageCreateParamsNonStreaming;
}

function toResponse(provider: string, res: Anthropic.Message, latencyMs: number): ModelResponse {
  if (!res || !Array.isArray(res.content)) throw new ProviderError('malformed', `${provider} answered without a content list`);
  const text = res.content.map((b) => (b.type === 'text' ? b.text : '')).join('');
  return {
    text,
    modelReturned: typeof res.model === 'string' ? res.model : null,
    systemFingerprint: null,
    tokens: { input: res.usage?.input_tokens ?? 0, output: res.usage?.output_tokens ?? 0 },
    latencyMs: Math.round(latencyMs),
    logprobs: null,
  };
}
