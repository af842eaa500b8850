// Anthropic's Messages API. Differences from the chat format are settled here: system
// messages go to the top-level `system`, `max_tokens` is required, and there are no
// log-probabilities. Nothing is added to the prompt's text: a JSON prompt's own
// messages ask for JSON, and aigov checks the answer.
import Anthropic from '@anthropic-ai/sdk';
import { ProviderError } from '../errors.js';
import { createFetch } from './http-fetch.js';
import { apiKeyFrom, capturingWarnings, sdkGuard, SILENT } from './sdk-call.js';
import type { ModelRequest, ModelResponse, Provider, ProviderRuntime, ProviderSettings } from './types.js';

export const DEFAULT_MAX_TOKENS = 1024;

export function create(settings: ProviderSettings, env: Record<string, string | undefined>, runtime: ProviderRuntime): Provider {
  const keyEnv = settings.apiKeyEnv ?? 'ANTHROPIC_API_KEY';
  const client = new Anthropic({ apiKey: apiKeyFrom(env, keyEnv), baseURL: settings.baseURL, maxRetries: 0, fetch: createFetch({ connections: runtime.connections, env }), ...SILENT });
  const name = settings.name;
  const guarded = sdkGuard(name, keyEnv);
  // The SDK prints a deprecation notice on every call to a deprecated model; aigov says it once, its own way.
  const told = new Set<string>();
  const notice = (model: string) => (text: string) => {
    const first = text.split('\n')[0].trim();
    if (told.has(first)) return;
    told.add(first);
    const deprecated = /^The model '[^']*' is (deprecated.*?)\.?$/.exec(first);
    runtime.onWarning(deprecated ? `${name}: model ${model} is ${deprecated[1]}` : `${name}: ${model}: ${first}`);
  };

  return {
    name,
    async complete(model, request, opts) {
      const started = performance.now();
      const res = await guarded(opts, (signal) => capturingWarnings(() => client.messages.create(body(model, request), { timeout: opts.timeoutMs, signal }), notice(model)));
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
  const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
  // Anthropic reports cached input apart from input_tokens; all three are input the call paid for.
  const cacheWrite = count(res.usage?.cache_creation_input_tokens);
  const cacheRead = count(res.usage?.cache_read_input_tokens);
  return {
    text,
    modelReturned: typeof res.model === 'string' && res.model ? res.model : null,
    systemFingerprint: null,
    tokens: {
      input: count(res.usage?.input_tokens) + cacheWrite + cacheRead,
      output: count(res.usage?.output_tokens),
      ...(cacheRead ? { cacheRead } : {}),
      ...(cacheWrite ? { cacheWrite } : {}),
    },
    latencyMs: Math.round(latencyMs),
    logprobs: null,
    ...(res.stop_reason === 'max_tokens' ? { truncated: true } : {}),
  };
}
