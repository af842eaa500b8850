import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { classifierFiles, tempWorkspace } from '../support/workspace.js';

let server: ModelServer;
const listed = ['gpt-4o-mini', 'gpt-4o-mini-2024-07-18', 'gpt-4o-mini-audio-preview-2024-12-17', 'gpt-4o-2024-08-06'];
const answers = (byModel: Record<string, Record<string, string>>) => (req: { model: string; messages: { content: string }[] }) =>
  byModel[req.model]?.[/Invoice: (\w+)/.exec(req.messages.at(-1)!.content)?.[1] ?? ''] ?? 'other';
const GOOD = { power: 'utilities', flight: 'travel' };

beforeAll(async () => {
  server = await startModelServer({ models: { openai: listed } });
});
afterAll(() => server.close());
let cleanup: (() => void)[] = [];
afterEach(() => {
  cleanup.forEach((c) => c());
  cleanup = [];
});
function ws() {
  const w = tempWorkspace(classifierFiles({ baseURL: server.openaiBaseURL }));
  cleanup.push(w.cleanup);
  return w;
}
const lock = (root: string) => readFileSync(join(root, 'aigov.lock'), 'utf8');

describe('aigov pin', () => {
  it('resolves an alias to its newest dated snapshot and writes a deterministic lock', async () => {
    const w = ws();
    const r = await aigov(['pin', '--as', 'ci@example.com'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    const text = lock(w.root);
    expect(text).toMatch(/^# Written by `aigov pin`. Do not edit by hand.\nlockfileVersion: 1\nmodels:\n  fast:\n    requested: openai:gpt-4o-mini\n    resolved: openai:gpt-4o-mini-2024-07-18\n    pinnedAt: \S+Z\n    pinnedBy: ci@example.com\nprompts:\n  inv:\n    version: 1\n    sha256: [0-9a-f]{64}\n$/);
    const again = await aigov(['pin'], { cwd: w.root });
    expect(again.stderr).toContain('aigov.lock is up to date');
    expect(lock(w.root)).toBe(text);
  });

  it('where the list tells nothing, asks one live call which model answers', async () => {
    const w = ws();
    w.write('aigov.yaml', readFileSync(join(w.root, 'aigov.yaml'), 'utf8').replace('openai:gpt-4o-mini', 'openai:house-model'));
    server.setAnswer(() => 'x');
    const r = await aigov(['pin'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(lock(w.root)).toContain('resolved: openai:house-model');
  });

  it('sets one explicitly with NAME=provider:id, checking that it exists', async () => {
    const w = ws();
    expect((await aigov(['pin', 'fast=openai:gpt-4o-mini-2024-07-18'], { cwd: w.root })).exitCode).toBe(0);
    const bad = await aigov(['pin', 'fast=openai:gpt-4o-mini-2023-01-01'], { cwd: w.root });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('the provider does not list this model');
    expect((await aigov(['pin', 'fats'], { cwd: w.root })).stderr).toContain('did you mean "fast"');
  });

  it('--check fails (exit 1) on a missing lock, a changed request and an unbumped prompt edit', async () => {
    const w = ws();
    const none = await aigov(['pin', '--check'], { cwd: w.root });
    expect(none.exitCode).toBe(1);
    expect(none.stderr).toContain('no lock file');
    await aigov(['pin'], { cwd: w.root });
    expect((await aigov(['pin', '--check'], { cwd: w.root })).exitCode).toBe(0);

    const prompt = readFileSync(join(w.root, 'prompts/inv.yaml'), 'utf8');
    w.write('prompts/inv.yaml', prompt.replace('One word.', 'Exactly one word.'));
    const edited = await aigov(['pin', '--check'], { cwd: w.root });
    expect(edited.exitCode).toBe(1);
    expect(edited.stderr).toContain('prompts/inv.yaml: prompt "inv" changed since it was locked at version 1 without a version bump (set version: 2');
    const v = await aigov(['validate'], { cwd: w.root });
    expect(v.exitCode).toBe(0);
    expect(v.stderr).toContain('warning prompt "inv" changed since it was locked');

    // pin itself refuses the edit until the version is bumped
    const refused = await aigov(['pin'], { cwd: w.root });
    expect(refused.exitCode).toBe(1);
    expect(refused.stderr).toContain('set version: 2');
    w.write('prompts/inv.yaml', prompt.replace('One word.', 'Exactly one word.').replace('version: 1', 'version: 2'));
    expect((await aigov(['pin'], { cwd: w.root })).exitCode).toBe(0);
    expect((await aigov(['pin', '--check'], { cwd: w.root })).exitCode).toBe(0);

    w.write('aigov.yaml', readFileSync(join(w.root, 'aigov.yaml'), 'utf8').replace('openai:gpt-4o-mini', 'openai:gpt-4o'));
    const stale = await aigov(['pin', '--check', '--json'], { cwd: w.root });
    expect(stale.exitCode).toBe(1);
    expect(JSON.parse(stale.stdout).drift[0].message).toContain('locked for openai:gpt-4o-mini but aigov.yaml requests openai:gpt-4o');
  });

  it('eval runs a prompt edited since the lock but says so', async () => {
    const w = ws();
    server.setAnswer(answers({ 'gpt-4o-mini-2024-07-18': GOOD }));
    await aigov(['pin'], { cwd: w.root });
    w.write('prompts/inv.yaml', readFileSync(join(w.root, 'prompts/inv.yaml'), 'utf8').replace('One word.', 'Exactly one word.'));
    const r = await aigov(['eval'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('was edited since it was locked');
  });

  it('--upgrade switches only when every suite passes on the new snapshot', async () => {
    const w = ws();
    await aigov(['pin'], { cwd: w.root });
    const before = lock(w.root);
    // A newer snapshot appears; it answers one case wrongly.
    const newer = [...listed, 'gpt-4o-mini-2025-06-01'];
    const s2 = await startModelServer({ models: { openai: newer }, answer: answers({ 'gpt-4o-mini-2024-07-18': GOOD, 'gpt-4o-mini-2025-06-01': { ...GOOD, flight: 'transport' } }) });
    try {
      w.write('aigov.yaml', readFileSync(join(w.root, 'aigov.yaml'), 'utf8').replace(server.openaiBaseURL, s2.openaiBaseURL));
      const failed = await aigov(['pin', '--upgrade', 'fast'], { cwd: w.root });
      expect(failed.exitCode).toBe(1);
      expect(failed.stderr).toContain('FAIL inv: 100% -> 50%');
      expect(lock(w.root)).toBe(before);

      s2.setAnswer(answers({ 'gpt-4o-mini-2024-07-18': GOOD, 'gpt-4o-mini-2025-06-01': GOOD }));
      const ok = await aigov(['pin', '--upgrade', 'fast'], { cwd: w.root });
      expect(ok.exitCode).toBe(0);
      expect(ok.stderr).toContain('fast: openai:gpt-4o-mini-2024-07-18 -> openai:gpt-4o-mini-2025-06-01');
      expect(lock(w.root)).toContain('resolved: openai:gpt-4o-mini-2025-06-01');
      const again = await aigov(['pin', '--upgrade', 'fast'], { cwd: w.root });
      expect(again.stderr).toContain('already the newest snapshot');
    } finally {
      await s2.close();
    }
  });

  it('--upgrade --force switches despite failing suites', async () => {
    const w = ws();
    await aigov(['pin'], { cwd: w.root });
    const s2 = await startModelServer({ models: { openai: [...listed, 'gpt-4o-mini-2025-06-01'] }, answer: () => 'wrong' });
    try {
      w.write('aigov.yaml', readFileSync(join(w.root, 'aigov.yaml'), 'utf8').replace(server.openaiBaseURL, s2.openaiBaseURL));
      const r = await aigov(['pin', '--upgrade', 'fast', '--force'], { cwd: w.root });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toContain('forced despite failing suites');
      expect(lock(w.root)).toContain('gpt-4o-mini-2025-06-01');
    } finally {
      await s2.close();
    }
  });
});
