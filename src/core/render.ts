// A prompt at its version plus variables -> the provider-neutral request. Shared by
// `aigov eval` and the library's `run`, so both send exactly the same thing.
import type { ModelRequest } from '../providers/types.js';
import type { Prompt } from './workspace/schemas.js';
import { renderTemplate } from './workspace/template.js';

export function renderRequest(prompt: Prompt, vars: Readonly<Record<string, unknown>>): ModelRequest {
  const request: ModelRequest = {
    messages: prompt.messages.map((m) => ({ role: m.role, content: renderTemplate(m.content, vars) })),
    params: prompt.params,
  };
  if (prompt.output.type === 'json') request.json = true;
  if (prompt.output.confidence === 'logprobs') request.logprobs = true;
  return request;
}

/** The number of samples a prompt's confidence needs per run (`samples:k`), else 1. */
export function confidenceSamples(prompt: Prompt): number {
  const m = /^samples:(\d+)$/.exec(prompt.output.confidence);
  return m ? Number(m[1]) : 1;
}
