import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readWorkspace } from '../../app/read-workspace.js';
import { promptHash } from '../lock/prompt-hash.js';
import { automationInfos } from './automation-info.js';
import { driftFor, effectiveTier, lockedTier } from './drift.js';

const root = mkdtempSync(join(tmpdir(), 'aigov-info-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const file = (path: string, text: string) => {
  mkdirSync(join(root, path, '..'), { recursive: true });
  writeFileSync(join(root, path), text);
};

describe('what the dashboard and the report know of each automation', () => {
  file('aigov.yaml', 'version: 1\nmodels:\n  fast: openai:gpt-4o-mini\n  slow: openai:gpt-4o\n');
  file('prompts/a.yaml', 'id: a\nversion: 1\nmodel: fast\nmessages:\n  - role: user\n    content: hi\n');
  file('prompts/b.yaml', 'id: b\nversion: 2\nmodel: slow\nmessages:\n  - role: user\n    content: hi\n');
  file('automations/x.yaml', 'id: x\nname: X\nowner: o@example.com\ntier: 1\nprompt: a\nconfidence: { threshold: 0.7 }\nreview: { cadence: weekly }\n');
  file('automations/y.yaml', 'id: y\nname: Y\nowner: p@example.com\ntier: 1\nprompt: b\n');

  it('without a lock: every automation has drift, and no eval target', () => {
    const [x, y] = automationInfos(readWorkspace(root));
    expect(x).toMatchObject({ id: 'x', tier: 1, threshold: 0.7, cadence: 'weekly', drift: ['no lock file'], evalTarget: null });
    expect(y).toMatchObject({ id: 'y', cadence: 'monthly', drift: ['no lock file'] });
    expect('threshold' in y).toBe(false);
  });

  it('with a lock: drift only where its own model or prompt drifted, and the eval target at its prompt hash and locked model', () => {
    const ws = readWorkspace(root);
    const hashA = promptHash(ws.prompts.get('a')!.value);
    file('aigov.lock', `lockfileVersion: 2\nmodels:\n  fast: { requested: openai:gpt-4o-mini, resolved: openai:gpt-4o-mini-2024-07-18, served: gpt-4o-mini-2024-07-18, pinnedAt: t, pinnedBy: me }\nprompts:\n  a: { version: 1, sha256: ${hashA} }\n  b: { version: 1, sha256: "${'0'.repeat(64)}" }\nautomations:\n  x: { tier: 1, since: t, by: me, event: null }\n  y: { tier: 1, since: t, by: me, event: null }\n`);
    const after = readWorkspace(root);
    expect(after.problems.filter((p) => p.severity === 'error')).toEqual([]);
    const [x, y] = automationInfos(after);
    expect(x.drift).toEqual([]);
    expect(x.evalTarget).toEqual({ sha256: hashA, model: 'openai:gpt-4o-mini-2024-07-18', served: 'gpt-4o-mini-2024-07-18' });
    expect(y.drift).toEqual(['model "slow" is not locked', 'prompt "b" is at version 2 but the lock has version 1']);
  });
});

describe('tiers and drift', () => {
  it.each<[number, unknown, number | undefined, number]>([
    [2, undefined, undefined, 2],
    [3, { automations: { x: { tier: 2 } } }, 2, 2],
    [1, { automations: { x: { tier: 3 } } }, 3, 1], // lowered by hand: at once
    [2, { automations: { y: { tier: 3 } } }, undefined, 2],
    [2, { automations: { x: { tier: 'two' } } }, undefined, 2],
  ])('file tier %s, lock %j: locked %s, effective %s', (file, lock, locked, effective) => {
    expect(lockedTier(lock, 'x')).toBe(locked);
    expect(effectiveTier(file, locked)).toBe(effective);
  });

  it('lock drift concerns an automation through its model or prompt', () => {
    const all = [
      { kind: 'model_unlocked', model: 'fast' },
      { kind: 'model_unlocked', model: 'slow' },
      { kind: 'model_unused', model: 'fast' },
      { kind: 'prompt_edited', prompt: 'a', version: 1, bumpTo: 2 },
      { kind: 'prompt_removed', prompt: 'z' },
    ] as const;
    expect(driftFor(all, 'fast', 'a')).toEqual(['model "fast" is not locked', 'prompt "a" changed since it was locked at version 1 without a version bump']);
  });
});
