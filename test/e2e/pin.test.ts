import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startModelServer, type ModelServer } from '../support/model-server.mjs';
import { aigov } from '../support/cli.js';
import { openStore } from '../../src/store/open.js';
import { automationYaml, classifierFiles, tempWorkspace } from '../support/workspace.js';

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
    expect(text).toMatch(
      /^# Written by `aigov pin` and `aigov promote`. Do not edit by hand.\nlockfileVersion: 2\nmodels:\n  fast:\n    requested: openai:gpt-4o-mini\n    resolved: openai:gpt-4o-mini-2024-07-18\n    served: gpt-4o-mini-2024-07-18\n    pinnedAt: \S+Z\n    pinnedBy: ci@example.com\nprompts:\n  inv:\n    version: 1\n    sha256: [0-9a-f]{64}\nautomations: \{\}\n$/,
    );
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

      // The upgrade records its own evidence: every eval it ran (on the pinned snapshot and the
      // candidate, failed or not) and the pin it made; the failed attempt pinned nothing.
      const store = await openStore('sqlite:.aigov/runs.db', w.root);
      try {
        const evals = await store.query({ types: ['eval_completed'], order: 'asc' });
        expect(evals.map((e) => [e.data.model, e.data.passed])).toEqual([
          ['openai:gpt-4o-mini-2024-07-18', true],
          ['openai:gpt-4o-mini-2025-06-01', false],
          ['openai:gpt-4o-mini-2024-07-18', true],
          ['openai:gpt-4o-mini-2025-06-01', true],
        ]);
        expect(evals.every((e) => e.data.unlocked === false && e.data.served === String(e.data.model).replace('openai:', ''))).toBe(true);
        const pins = await store.query({ types: ['model_pinned'], order: 'asc' });
        expect(pins.map((e) => [e.data.from, e.data.to])).toEqual([
          [null, 'openai:gpt-4o-mini-2024-07-18'],
          ['openai:gpt-4o-mini-2024-07-18', 'openai:gpt-4o-mini-2025-06-01'],
        ]);
        expect(pins[1].data).toMatchObject({ served: 'gpt-4o-mini-2025-06-01', evidence: { suites: [{ suite: 'inv', before: 1, after: 1, passed: true }], forced: false } });
      } finally {
        await store.close();
      }
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

describe('aigov pin: served, the ledger of tiers, a broken lock', () => {
  const completions = () => server.requests.filter((r) => r.path.endsWith('/chat/completions'));

  it('makes one minimal call per model it pins and records what the API says it serves', async () => {
    const llama = await startModelServer({ serveModel: 'llama-3.1-8b-instruct-q4', systemFingerprint: false, models: { openai: listed } });
    try {
      const w = tempWorkspace(classifierFiles({ baseURL: llama.openaiBaseURL }));
      cleanup.push(w.cleanup);
      const r = await aigov(['pin'], { cwd: w.root });
      expect(r.exitCode).toBe(0);
      expect(r.stderr).toContain('fast: openai:gpt-4o-mini-2024-07-18 (newest dated snapshot the provider lists), served as llama-3.1-8b-instruct-q4');
      expect(lock(w.root)).toContain('    resolved: openai:gpt-4o-mini-2024-07-18\n    served: llama-3.1-8b-instruct-q4\n');
      const calls = llama.requests.filter((q) => q.path.endsWith('/chat/completions'));
      expect(calls).toHaveLength(1);
      expect(calls[0].body).toMatchObject({ model: 'gpt-4o-mini-2024-07-18', max_tokens: 1 });
      // Pinned already: no call at all.
      await aigov(['pin'], { cwd: w.root });
      expect(llama.requests.filter((q) => q.path.endsWith('/chat/completions'))).toHaveLength(1);
    } finally {
      await llama.close();
    }
  });

  it('--check fails where served is missing (a version 1 lock), and pin records it without re-resolving', async () => {
    const w = ws();
    await aigov(['pin', '--as', 'first@example.com'], { cwd: w.root });
    const v2 = lock(w.root);
    const pinnedAt = /pinnedAt: (\S+)/.exec(v2)![1];
    // The same lock as an older aigov wrote it.
    w.write('aigov.lock', v2.replace('lockfileVersion: 2', 'lockfileVersion: 1').replace(/    served: .*\n/, '').replace(/automations: \{\}\n/, ''));
    const check = await aigov(['pin', '--check'], { cwd: w.root });
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain('drift aigov.lock: model "fast" (openai:gpt-4o-mini-2024-07-18) has no `served` in the lock');
    const before = completions().length;
    const r = await aigov(['pin', '--as', 'second@example.com'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('fast: openai:gpt-4o-mini-2024-07-18, served as gpt-4o-mini-2024-07-18 (recorded)');
    expect(completions().length - before).toBe(1);
    const after = lock(w.root);
    expect(after).toContain('lockfileVersion: 2\n');
    expect(after).toContain(`pinnedAt: ${pinnedAt}\n    pinnedBy: first@example.com`);
    expect((await aigov(['pin', '--check'], { cwd: w.root })).exitCode).toBe(0);
  });

  it('--upgrade records the served model of the new snapshot', async () => {
    const w = ws();
    await aigov(['pin'], { cwd: w.root });
    const s2 = await startModelServer({ models: { openai: [...listed, 'gpt-4o-mini-2025-06-01'] }, serveModel: 'gpt-4o-mini-2025-06-01-eu', answer: answers({}) });
    try {
      s2.setAnswer((req) => (req.messages.at(-1)!.content.includes('power') ? 'utilities' : req.messages.at(-1)!.content.includes('flight') ? 'travel' : 'OK'));
      w.write('aigov.yaml', readFileSync(join(w.root, 'aigov.yaml'), 'utf8').replace(server.openaiBaseURL, s2.openaiBaseURL));
      const r = await aigov(['pin', '--upgrade', 'fast'], { cwd: w.root });
      // The old snapshot now answers as -eu too: its run fails the served check, the new one passes.
      expect(r.stderr).toContain('fast: openai:gpt-4o-mini-2024-07-18 -> openai:gpt-4o-mini-2025-06-01, served as gpt-4o-mini-2025-06-01-eu');
      expect(r.exitCode).toBe(0);
      expect(lock(w.root)).toContain('resolved: openai:gpt-4o-mini-2025-06-01\n    served: gpt-4o-mini-2025-06-01-eu\n');
    } finally {
      await s2.close();
    }
  });

  it('enters a new automation in the ledger at tier 1; --check fails a tier raised by hand, validate only warns', async () => {
    const w = ws();
    w.write('automations/bot.yaml', automationYaml('bot', 3, 'inv'));
    const r = await aigov(['pin', '--as', 'jane@example.com'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('automation bot: enters the ledger at tier 1');
    expect(lock(w.root)).toMatch(/automations:\n {2}bot:\n {4}tier: 1\n {4}since: \S+Z\n {4}by: jane@example.com\n {4}event: null\n$/);
    const check = await aigov(['pin', '--check'], { cwd: w.root });
    expect(check.exitCode).toBe(1);
    expect(check.stderr).toContain('automations/bot.yaml: automation "bot" says tier 3 but aigov.lock records tier 1: a tier is raised only through `aigov promote`');
    const v = await aigov(['validate'], { cwd: w.root });
    expect(v.exitCode).toBe(0);
    expect(v.stderr).toContain('warning automation "bot" says tier 3 but aigov.lock records tier 1');
    // Pinning again keeps the ledger as it is: only promote raises a tier.
    await aigov(['pin'], { cwd: w.root });
    expect(lock(w.root)).toContain('  bot:\n    tier: 1\n');
    // Lowered by hand: no drift, it takes effect at once.
    w.write('automations/bot.yaml', automationYaml('bot', 1, 'inv'));
    expect((await aigov(['pin', '--check'], { cwd: w.root })).exitCode).toBe(0);
  });

  it('names merge-conflict markers as such, and pin rewrites the lock keeping what both sides agree on', async () => {
    const w = ws();
    await aigov(['pin'], { cwd: w.root });
    const good = lock(w.root);
    const [head, rest] = good.split('prompts:\n');
    w.write('aigov.lock', `${head}prompts:\n<<<<<<< HEAD\n${rest}=======\n  inv:\n    version: 7\n    sha256: ${'0'.repeat(64)}\nautomations: {}\n>>>>>>> other-branch\n`);
    for (const args of [['validate'], ['pin', '--check'], ['eval']]) {
      const r = await aigov(args, { cwd: w.root });
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toContain('aigov.lock:');
      expect(r.stderr).toContain('aigov.lock has merge-conflict markers: run `aigov pin` to rewrite it');
    }
    const before = completions().length;
    const r = await aigov(['pin'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('aigov.lock had merge-conflict markers: kept what both sides agree on');
    // The model was pinned alike on both sides: kept, no call made.
    expect(completions().length).toBe(before);
    expect(lock(w.root)).toBe(good);
    expect((await aigov(['pin', '--check'], { cwd: w.root })).exitCode).toBe(0);
  });

  it('names a lock that is garbage, and pin rebuilds it from the workspace', async () => {
    const w = ws();
    w.write('automations/bot.yaml', automationYaml('bot', 1, 'inv'));
    w.write('aigov.lock', 'lockfileVersion: [unclosed\n\x00 nonsense: : :\n');
    const v = await aigov(['validate'], { cwd: w.root });
    expect(v.exitCode).toBe(2);
    expect(v.stderr).toMatch(/aigov\.lock:\d+:\d+ error .*\(aigov\.lock is written by aigov: run `aigov pin` to rewrite it\)/);
    const r = await aigov(['pin'], { cwd: w.root });
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain('aigov.lock could not be read: rebuilt it from the workspace; every automation enters the ledger at tier 1');
    expect(lock(w.root)).toContain('resolved: openai:gpt-4o-mini-2024-07-18');
    expect((await aigov(['pin', '--check'], { cwd: w.root })).exitCode).toBe(0);
  });

  it('an aigov.yaml with errors: pin, pin NAME and pin --upgrade print them (exit 2), call nothing and write nothing', async () => {
    const w = ws();
    expect((await aigov(['pin'], { cwd: w.root })).exitCode).toBe(0);
    const before = lock(w.root);
    // `input:0.15` without a space is one key in YAML, so the price has no input.
    w.write('aigov.yaml', readFileSync(join(w.root, 'aigov.yaml'), 'utf8').replace(/gpt-4o-mini-2024-07-18: .*/, 'gpt-4o-mini-2024-07-18: {input:0.15,output:0.60}'));
    const requests = server.requests.length;
    const results = await Promise.all([['pin'], ['pin', 'fast'], ['pin', '--upgrade', 'fast'], ['pin', '--json']].map((args) => aigov(args, { cwd: w.root })));
    for (const r of results) {
      expect(r.exitCode).toBe(2);
      expect(r.stderr).toMatch(/^aigov.yaml:\d+:\d+ error pricing.gpt-4o-mini-2024-07-18.input: /m);
      expect(r.stderr).toMatch(/^error E_INVALID: \d+ errors in the workspace: nothing was run or written$/m);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
    expect(JSON.parse(results[3].stdout).error).toMatchObject({ code: 'E_INVALID', location: { file: 'aigov.yaml' } });
    expect(server.requests.length).toBe(requests);
    expect(lock(w.root)).toBe(before);
  });

  it('says what is wrong without hinting at flags pin does not have', async () => {
    const w = ws();
    const force = await aigov(['pin', '--force'], { cwd: w.root });
    expect(force.exitCode).toBe(2);
    expect(force.stderr).toContain('--force only goes with --upgrade NAME');
    const nokey = await aigov(['pin'], { cwd: w.root, env: { TEST_OPENAI_KEY: '' } });
    expect(nokey.exitCode).toBe(3);
    expect(nokey.stderr).toContain('TEST_OPENAI_KEY is not set');
    expect(nokey.stderr).not.toContain('--replay');
  });
});
