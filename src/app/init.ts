// `aigov init`: a small working workspace, each file with an editor schema header.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import { writeFilesAtomic } from '../fs/atomic.js';
import { initGovernanceYaml } from '../core/workspace/placeholders.js';

const schema = (kind: string, depth: number): string => `# yaml-language-server: $schema=${depth ? '../' : './'}node_modules/aigov/schemas/${kind}.json\n`;

const FILES: Record<string, string> = {
  'aigov.yaml': `${schema('config', 0)}version: 1
models:
  default: openai:gpt-4o-mini
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
  '.gitignore': '.aigov/\nnode_modules/\n.env\n',
};

export function initWorkspace(dir: string): string[] {
  if (existsSync(join(dir, 'aigov.yaml'))) throw new UsageError(`${join(dir, 'aigov.yaml')} already exists`, { hint: 'init only scaffolds a new workspace' });
  const files = Object.entries(FILES).filter(([path]) => path !== '.gitignore' || !existsSync(join(dir, path)));
  writeFilesAtomic(files.map(([path, content]) => ({ path: join(dir, path), content })));
  return files.map(([path]) => path);
}
