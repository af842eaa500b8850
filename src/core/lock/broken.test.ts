import { describe, expect, it } from 'vitest';
import { serializeLock } from './lockfile.js';
import { conflictLine, conflictProblem, conflictSides, withRewriteHint } from './broken.js';
import { salvageLock } from './salvage.js';
import type { LockedModel, Lockfile } from '../workspace/schemas.js';

const SHA1 = '1'.repeat(64);
const SHA2 = '2'.repeat(64);
const fast: LockedModel = { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', served: 'gpt-4o-mini-2024-07-18', pinnedAt: '2026-11-01T00:00:00Z', pinnedBy: 'a' };
const base: Lockfile = {
  lockfileVersion: 2,
  models: { fast },
  prompts: { inv: { version: 1, sha256: SHA1 } },
  automations: { bot: { tier: 2, since: 't', by: 'a', event: null } },
};

/** Two locks as git leaves them after a conflicting merge. */
function conflicted(ours: Lockfile, theirs: Lockfile, diff3 = false): string {
  const [a, b] = [serializeLock(ours).split('\n'), serializeLock(theirs).split('\n')];
  const out: string[] = [];
  let i = 0;
  while (i < a.length && a[i] === b[i]) out.push(a[i++]);
  // The rest differs: one hunk is enough for git's layout.
  out.push('<<<<<<< HEAD', ...a.slice(i), ...(diff3 ? ['||||||| base', 'lockfileVersion: 1'] : []), '=======', ...b.slice(i), '>>>>>>> feature');
  return out.join('\n');
}

describe('merge-conflict markers', () => {
  it('are found at their line and named as a merge conflict with the way out', () => {
    const text = conflicted(base, { ...base, prompts: { inv: { version: 2, sha256: SHA2 } } });
    const line = conflictLine(text)!;
    expect(text.split('\n')[line - 1]).toBe('<<<<<<< HEAD');
    expect(conflictProblem(text)).toMatchObject({ severity: 'error', file: 'aigov.lock', line, col: 1, message: 'aigov.lock has merge-conflict markers: run `aigov pin` to rewrite it' });
  });

  it.each([
    ['a clean lock', serializeLock(base)],
    ['seven = signs alone are not a conflict', 'a: 1\n=======\n'],
    ['markers inside a value', 'note: "<<<<<<< not at line start"\n'],
  ])('%s: none', (_n, text) => expect(conflictProblem(text)).toBeUndefined());

  it('splits a conflict into both sides, dropping a diff3 base', () => {
    expect(conflictSides('a\n<<<<<<< HEAD\nb\n||||||| base\nz\n=======\nc\n>>>>>>> x\nd')).toEqual(['a\nb\nd', 'a\nc\nd']);
    expect(conflictSides('a\n<<<<<<< HEAD\nb\n=======\nc\n')).toBeUndefined();
    expect(conflictSides('>>>>>>> x\n')).toBeUndefined();
  });

  it('adds the way out to any other problem of the lock, and only of the lock', () => {
    expect(withRewriteHint({ severity: 'error', file: 'aigov.lock', line: 1, message: 'bad' }).hint).toBe('aigov.lock is written by aigov: run `aigov pin` to rewrite it');
    expect(withRewriteHint({ severity: 'error', file: 'aigov.yaml', message: 'bad' }).hint).toBeUndefined();
  });
});

describe('salvageLock', () => {
  it('keeps what both sides agree on; a model pinned differently on each side is dropped to be resolved again', () => {
    const ours: Lockfile = { ...base, models: { fast, slow: { ...fast, requested: 'openai:gpt-4o', resolved: 'openai:gpt-4o-2024-08-06', served: 'gpt-4o-2024-08-06' } } };
    const theirs: Lockfile = {
      ...base,
      models: { fast, slow: { ...ours.models.slow, resolved: 'openai:gpt-4o-2024-11-20', served: 'gpt-4o-2024-11-20' }, extra: { ...fast, requested: 'openai:o1' } },
      prompts: { inv: { version: 2, sha256: SHA2 }, other: { version: 1, sha256: SHA1 } },
    };
    const s = salvageLock(conflicted(ours, theirs));
    expect(s.kind).toBe('conflict');
    const lock = (s as { lock: Lockfile }).lock;
    expect(Object.keys(lock.models).sort()).toEqual(['extra', 'fast']);
    expect(lock.prompts).toEqual({});
    expect(lock.automations).toEqual(base.automations);
  });

  it('keeps the lower tier where the sides disagree, and entries only one side has', () => {
    const ours: Lockfile = { ...base, automations: { bot: { tier: 3, since: 't1', by: 'a', event: 'e'.repeat(64) }, mine: { tier: 2, since: 't', by: 'a', event: null } } };
    const theirs: Lockfile = { ...base, automations: { bot: { tier: 1, since: 't2', by: 'b', event: null } } };
    const lock = (salvageLock(conflicted(ours, theirs, true)) as { lock: Lockfile }).lock;
    expect(lock.automations).toEqual({ bot: { tier: 1, since: 't2', by: 'b', event: null }, mine: { tier: 2, since: 't', by: 'a', event: null } });
  });

  it('keeps nothing from garbage, or from a conflict whose sides do not read as a lock', () => {
    expect(salvageLock('{{{ not yaml')).toEqual({ kind: 'unreadable' });
    expect(salvageLock('<<<<<<< HEAD\n: :\n=======\n[1\n>>>>>>> x\n')).toEqual({ kind: 'unreadable' });
  });
});
