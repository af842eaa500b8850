// What `aigov init` writes: a small working workspace, each file with an editor
// schema header, and the lines a .gitignore needs. Pure: the files are text here,
// app/init decides what may be written.
import { initGovernanceYaml } from './workspace/placeholders.js';

const schema = (kind: string, depth: number): string => `# yaml-language-server: $schema=${depth ? '../' : './'}node_modules/aigov/schemas/${kind}.json\n`;

export const SCAFFOLD: Readonly<Record<string, string>> = {
  'aigov.yaml': `${schema('config', 0)}version: 1
models:
  default: openai:gpt-4o-mini
providers:
  # Keys come from the environment (or .env, which git ignores), never from this file.
  openai: { apiKeyEnv: OPENAI_API_KEY }
  # Any OpenAI-compatible server (vLLM, Ollama, llama.cpp's llama-server, LiteLLM,
  # Azure) works through baseURL. A local server still needs the key variable set,
  # to any dummy value (OPENAI_API_KEY=local in .env):
  #   openai: { baseURL: http://127.0.0.1:8080/v1, apiKeyEnv: OPENAI_API_KEY }
  # anthropic: { apiKeyEnv: ANTHROPIC_API_KEY }
  # house-model: { type: exec, command: [node, scripts/model.mjs] }
store: sqlite:.aigov/runs.db
pricing:
  gpt-4o-mini-2024-07-18: { input: 0.15, output: 0.60 }
defaults: { concurrency: 16, timeoutMs: 60000, retries: 4 }
`,
  'prompts/sentiment.yaml': `${schema('prompt', 1)}id: sentiment
version: 1
description: Classify the sentiment of a customer message.
model: default
params: { temperature: 0, max_tokens: 5 }
messages:
  - role: system
    content: Answer with one word, positive, negative or neutral.
  - role: user
    content: "{{message}}"
vars:
  message: { type: string, required: true, maxLength: 5000 }
output:
  type: text
  confidence: logprobs
`,
  'evals/sentiment.yaml': `${schema('suite', 1)}suite: sentiment
prompt: sentiment
cases:
  - id: happy
    vars: { message: "Thank you, the refund arrived today!" }
    expect: positive
  - id: angry
    vars: { message: "Third time I am asking. Cancel my account." }
    expect: negative
`,
  'automations/sentiment.yaml': `${schema('automation', 1)}id: sentiment
name: Message sentiment
owner: you@example.com
tier: 1
prompt: sentiment
evals: [sentiment]
downstream: [helpdesk]
confidence: { threshold: 0.85 }
review: { cadence: monthly }
${initGovernanceYaml()}`,
};

/** Local state and secrets: never committed. */
const IGNORED = [
  { line: '.aigov/', same: ['.aigov', '.aigov/', '/.aigov', '/.aigov/', '.aigov/*', '/.aigov/*', '.aigov/**', '/.aigov/**'] },
  { line: '.env', same: ['.env', '/.env'] },
];

/**
 * The .gitignore with `.aigov/` and `.env` ignored: a new file when there is
 * none, else the existing text with only the missing lines appended. Undefined
 * when nothing needs to change.
 */
export function gitignoreWith(existing: string | undefined): string | undefined {
  if (existing === undefined) return '.aigov/\n.env\nnode_modules/\n';
  const lines = existing.split(/\r?\n/).map((l) => l.trim());
  const missing = IGNORED.filter(({ same }) => {
    // The last line that mentions it decides, as in git: `!.env` after `.env` un-ignores it.
    let ignored = false;
    for (const l of lines) {
      if (same.includes(l)) ignored = true;
      else if (l.startsWith('!') && same.includes(l.slice(1))) ignored = false;
    }
    return !ignored;
  });
  if (!missing.length) return undefined;
  const eol = existing.includes('\r\n') ? '\r\n' : '\n';
  const sep = existing === '' || existing.endsWith('\n') ? '' : eol;
  return `${existing}${sep}# aigov: local state and secrets${eol}${missing.map((m) => m.line).join(eol)}${eol}`;
}
