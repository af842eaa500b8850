// A prompt at its version plus variables -> the provider-neutral request. Shared by
// `aigov eval` and the library's `run`, so both send exactly the same thing. The
// messages are the prompt's own, rendered; nothing is added to them. JSON output is
// asked for through the request's `json` and `schema`, which the providers turn into
// the API's own parameters.
import type { ModelRequest } from '../providers/types.js';
import type { Prompt } from './workspace/schemas.js';
import { renderTemplate } from './workspace/template.js';

export function renderRequest(prompt: Prompt, vars: Readonly<Record<string, unknown>>): ModelRequest {
  const request: ModelRequest = {
    messages: prompt.messages.map((m) => ({ role: m.role, content: renderTemplate(m.content, vars) })),
    params: prompt.params,
  };
  if (prompt.output.type === 'json') {
    request.json = true;
    if (prompt.output.schema) request.schema = { name: schemaName(prompt.id), schema: prompt.output.schema };
  }
  if (prompt.output.confidence === 'logprobs') request.logprobs = true;
  return request;
}

/** A prompt id as OpenAI takes a schema name: letters, digits, `_` and `-`, at most 64. */
export function schemaName(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}

/** The number of samples a prompt's confidence needs per run (`samples:k`), else 1. */
export function confidenceSamples(prompt: Prompt): number {
  const m = /^samples:(\d+)$/.exec(prompt.output.confidence);
  return m ? Number(m[1]) : 1;
}
