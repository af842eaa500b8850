// `aigov eval --accept` through the built binary: the case keeps its layout, and
// a case an expect would not fix is refused with the reason, writing nothing.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { configYaml, promptYaml, tempWorkspace } from '../support/workspace.js';

let server: ModelServer;
let calls = 0;
const ANSWERS: Record<string, string> = { power: 'utilities', flight: 'travel', chairs: 'other' };
beforeAll(async () => {
  server = await startModelServer({ models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'] } });
  server.setAnswer((req) => {
    const text = /Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? '';
    // `moody` answers differently on every call, like a model at temperature 1.
    return text === 'moody' ? `mood ${++calls}` : (ANSWERS[text] ?? 'other');
  });
});
afterAll(() => server.close());
let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

const SUITE = `# the invoice suite
suite: inv
prompt: inv
cases:
  # flow cases, as people write short ones
  - { id: power, vars: { text: power }, expect: wrong }   # to be accepted
  - { id: flight, vars: { text: flight }, assert: [{ type: regex, value: "^[0-9]+$" }] }
  - id: chairs
    vars: { text: chairs }
    # a limit no answer meets
    assert:
      - { type: max-tokens, value: 0 }
  - id: moody
    vars: { text: moody }
    expect: calm
`;

async function pinned() {
  const w = tempWorkspace({ 'aigov.yaml': configYaml(server.openaiBaseURL), 'prompts/inv.yaml': promptYaml('inv'), 'evals/inv.yaml': SUITE });
  cleanup.push(w.cleanup);
  const pin = await aigov(['pin'], { cwd: w.root });
  if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  return w;
}
const suite = (root: string): string => readFileSync(join(root, 'evals/inv.yaml'), 'utf8');

describe('aigov eval --accept', () => {
  it('keeps a flow case a flow case, and every other byte of the file', async () => {
    const w = await pinned();
    const r = await aigov(['eval', '--no-cache', '--accept', 'power'], { cwd: w.root });
    expect(r.stderr).toContain('accepted 1 case: inv/power');
    expect(suite(w.root)).toBe(SUITE.replace('expect: wrong }   # to be accepted', 'expect: utilities }   # to be accepted'));
    const again = await aigov(['eval', '--no-cache', '--json'], { cwd: w.root });
    expect(JSON.parse(again.stdout).suites[0].cases.find((c: { id: string }) => c.id === 'power').status).toBe('pass');
  });

  it('refuses a case whose failing assertion an expect would not fix, with the reason, and writes nothing (exit 2)', async () => {
    const w = await pinned();
    const r = await aigov(['eval', '--no-cache', '--accept', 'flight'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/--accept refused 1 case, so nothing was written:\n {2}inv\/flight: an expect would not fix its failing assertion: regex \(/);
    // The results are still on screen.
    expect(r.stdout).toContain('FAIL inv/flight');
    expect(suite(w.root)).toBe(SUITE);
  });

  it('all or none: one refused case (a limit) keeps the acceptable one from being written too', async () => {
    const w = await pinned();
    const r = await aigov(['eval', '--no-cache', '--accept', 'power', 'inv/chairs'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('inv/chairs: an expect would not fix its failing assertion: max-tokens (');
    expect(r.stderr).not.toContain('inv/power:');
    expect(suite(w.root)).toBe(SUITE);
  });

  it('refuses a case whose samples disagree: an expect holds one output', async () => {
    const w = await pinned();
    const r = await aigov(['eval', '--no-cache', '--repeat', '2', '--accept', 'moody'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('inv/moody: its 2 samples gave 2 different outputs, and an expect holds one');
    expect(suite(w.root)).toBe(SUITE);
  });
});
