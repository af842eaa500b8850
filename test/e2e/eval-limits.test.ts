// The limits a user can hit before anything is sent: --repeat, and the planned case count.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ models: { openai: ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18'] } });
});
afterAll(() => server.close());
let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});

const completions = (): number => server.requests.filter((r) => r.path.endsWith('/chat/completions')).length;

/** A pinned workspace with `n` cases (suite `repeat` as given). */
async function pinned(n: number, repeat = 1) {
  const expect = Object.fromEntries(Array.from({ length: n }, (_, i) => [`c${i}`, 'ok']));
  const files = classifierFiles({ baseURL: server.openaiBaseURL, expect });
  files['evals/inv.yaml'] = files['evals/inv.yaml'].replace('prompt: inv\n', `prompt: inv\nrepeat: ${repeat}\n`);
  const w = tempWorkspace(files);
  cleanup.push(w.cleanup);
  const pin = await aigov(['pin'], { cwd: w.root });
  if (pin.exitCode !== 0) throw new Error(`pin failed: ${pin.stderr}`);
  return w;
}

describe('aigov eval --repeat', () => {
  it.each([
    ['1e9', 'at most 100, got "1e9"'],
    ['101', 'at most 100, got "101"'],
    ['2.5', 'got "2.5"'],
    ['0x10', 'got "0x10"'],
    ['0', 'above 0'],
  ])('refuses --repeat %s at once (exit 2), sending nothing', async (value, message) => {
    // Refused while the flags are read: no workspace is needed, so none is pinned.
    const w = tempWorkspace(classifierFiles({ baseURL: server.openaiBaseURL }));
    cleanup.push(w.cleanup);
    const before = completions();
    const t0 = Date.now();
    const r = await aigov(['eval', '--repeat', value], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(message);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(completions()).toBe(before);
  });

  it('takes --repeat 100, the suite file limit', async () => {
    const w = await pinned(1);
    const r = await aigov(['eval', '--repeat', '100', '--json'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).suites[0].cases[0].samples).toHaveLength(100);
  });
});

describe('aigov eval --concurrency and --retries', () => {
  it.each([
    ['--concurrency', '1025', 'at most 1024, got "1025"'],
    ['--concurrency', '1e9', 'at most 1024, got "1e9"'],
    ['--concurrency', '0', 'above 0'],
    ['--retries', '21', 'at most 20, got "21"'],
    ['--retries', '1e6', 'at most 20, got "1e6"'],
  ])('refuses %s %s at once (exit 2), as aigov.yaml\'s defaults would, sending nothing', async (flag, value, message) => {
    const w = tempWorkspace(classifierFiles({ baseURL: server.openaiBaseURL }));
    cleanup.push(w.cleanup);
    const before = completions();
    const r = await aigov(['eval', flag, value], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^error E_USAGE: option '${flag} <n>' argument '${value}' is invalid\\. expected a whole number`, 'm'));
    expect(r.stderr).toContain(message);
    expect(completions()).toBe(before);
  });

  it('the same bounds as aigov.yaml: defaults.concurrency 1025 and retries 21 are validation errors', async () => {
    const files = classifierFiles({ baseURL: server.openaiBaseURL });
    const w = tempWorkspace({ ...files, 'aigov.yaml': files['aigov.yaml'].replace(/defaults: .*/, 'defaults: { concurrency: 1025, retries: 21 }') });
    cleanup.push(w.cleanup);
    const r = await aigov(['validate'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/^aigov.yaml:\d+:\d+ error defaults.concurrency: .*1024/m);
    expect(r.stderr).toMatch(/^aigov.yaml:\d+:\d+ error defaults.retries: .*20/m);
  });

  it('takes --concurrency 1024 and --retries 20, the aigov.yaml limits', async () => {
    const w = await pinned(1);
    const r = await aigov(['eval', '--concurrency', '1024', '--retries', '20'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
  });
});

describe('aigov eval: the planned case count', () => {
  it('refuses more than 100,000 case samples before anything is sent (exit 2), from the suite file or from --repeat', async () => {
    const w = await pinned(1001, 100);
    const before = completions();
    const r = await aigov(['eval'], { cwd: w.root });
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('the run would make 100100 case samples (cases × repeats over all suites); the limit is 100000');
    expect(r.stderr).toContain('--shard');
    expect(completions()).toBe(before);
    // The same count reached through --repeat.
    w.write('evals/inv.yaml', readSuite(w.root).replace('repeat: 100\n', 'repeat: 1\n'));
    const viaFlag = await aigov(['eval', '--repeat', '100'], { cwd: w.root });
    expect(viaFlag.exitCode).toBe(2);
    expect(viaFlag.stderr).toContain('the limit is 100000');
    expect(completions()).toBe(before);
  });
});

function readSuite(root: string): string {
  return readFileSync(join(root, 'evals/inv.yaml'), 'utf8');
}
