// Fixture trees for end-to-end tests, written into a fresh temporary folder by the test itself.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export function tempWorkspace(files: Record<string, string | Buffer>): { root: string; write(path: string, content: string | Buffer): void; cleanup(): void } {
  const root = mkdtempSync(join(tmpdir(), 'aigov-e2e-'));
  const write = (path: string, content: string | Buffer): void => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  for (const [path, content] of Object.entries(files)) write(path, content);
  return { root, write, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

/** aigov.yaml with one OpenAI model, `fast`, served from `baseURL`. */
export function configYaml(baseURL: string, defaults = '{ concurrency: 4, timeoutMs: 2000, retries: 2 }'): string {
  return `version: 1
models:
  fast: openai:gpt-4o-mini
providers:
  openai: { baseURL: ${baseURL}, apiKeyEnv: TEST_OPENAI_KEY }
pricing:
  gpt-4o-mini-2024-07-18: { input: 0.15, output: 0.60 }
defaults: ${defaults}
`;
}

/** A one-variable (`text`) prompt on the `fast` model. */
export function promptYaml(id: string, opts: { version?: number; user?: string; output?: string; maxLength?: number } = {}): string {
  const output = opts.output ? `output: ${opts.output}\n` : '';
  return `id: ${id}
version: ${opts.version ?? 1}
model: fast
params: { temperature: 0 }
messages:
  - role: system
    content: One word.
  - role: user
    content: "${opts.user ?? 'Invoice: {{text}}'}"
vars:
  text: { type: string${opts.maxLength ? `, maxLength: ${opts.maxLength}` : ''} }
${output}`;
}

export function automationYaml(id: string, tier: number, prompt: string, extra = ''): string {
  return `id: ${id}\nname: ${id}\nowner: ops@example.com\ntier: ${tier}\nprompt: ${prompt}\n${extra}`;
}

/** A small valid workspace: one OpenAI model, one text prompt, one suite. */
export function classifierFiles(opts: { baseURL?: string; expect?: Record<string, string> } = {}): Record<string, string> {
  const expect = opts.expect ?? { power: 'utilities', flight: 'travel' };
  return {
    'aigov.yaml': configYaml(opts.baseURL ?? 'http://127.0.0.1:9/v1'),
    'prompts/inv.yaml': promptYaml('inv'),
    'evals/inv.yaml': `# the invoice suite
suite: inv
prompt: inv
cases:
${Object.entries(expect)
  .map(([text, want]) => `  - id: ${text}\n    vars: { text: ${text} }\n    # expected category\n    expect: ${want}\n`)
  .join('')}`,
  };
}
