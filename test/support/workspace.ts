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

/** A small valid workspace: one OpenAI model, one text prompt, one suite, one automation. */
export function classifierFiles(opts: { baseURL?: string; expect?: Record<string, string> } = {}): Record<string, string> {
  const expect = opts.expect ?? { power: 'utilities', flight: 'travel' };
  return {
    'aigov.yaml': `version: 1
models:
  fast: openai:gpt-4o-mini
providers:
  openai: { baseURL: ${opts.baseURL ?? 'http://127.0.0.1:9/v1'}, apiKeyEnv: TEST_OPENAI_KEY }
pricing:
  gpt-4o-mini-2024-07-18: { input: 0.15, output: 0.60 }
defaults: { concurrency: 4, timeoutMs: 2000, retries: 2 }
`,
    'prompts/inv.yaml': `id: inv
version: 1
model: fast
params: { temperature: 0 }
messages:
  - role: system
    content: One word.
  - role: user
    content: "Invoice: {{text}}"
vars:
  text: { type: string }
`,
    'evals/inv.yaml': `# the invoice suite
suite: inv
prompt: inv
cases:
${Object.entries(expect)
  .map(([text, want]) => `  - id: ${text}\n    vars: { text: ${text} }\n    # expected category\n    expect: ${want}\n`)
  .join('')}`,
  };
}
