import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { schemas, type Lockfile } from '../workspace/schemas.js';
import { emptyLock, lockTime, serializeLock } from './lockfile.js';

const SHA = 'a'.repeat(64);
const v2: Lockfile = {
  lockfileVersion: 2,
  models: {
    slow: { pinnedBy: 'b', pinnedAt: 't2', served: null, resolved: 'house:m', requested: 'house:m' },
    fast: { requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', served: 'gpt-4o-mini-2024-07-18', pinnedAt: 't1', pinnedBy: 'a' },
  },
  prompts: { z: { version: 1, sha256: SHA }, a: { sha256: SHA, version: 3 } },
  automations: { zeta: { event: 'e'.repeat(64), by: 'c', since: 't3', tier: 2 }, alpha: { tier: 1, since: 't4', by: 'd', event: null } },
};

describe('serializeLock', () => {
  it('writes version 2 in a fixed key order, whatever order it was given', () => {
    expect(serializeLock(v2)).toBe(`# Written by \`aigov pin\` and \`aigov promote\`. Do not edit by hand.
lockfileVersion: 2
models:
  fast:
    requested: openai:gpt-4o-mini
    resolved: openai:gpt-4o-mini-2024-07-18
    served: gpt-4o-mini-2024-07-18
    pinnedAt: t1
    pinnedBy: a
  slow:
    requested: house:m
    resolved: house:m
    served: null
    pinnedAt: t2
    pinnedBy: b
prompts:
  a:
    version: 3
    sha256: ${SHA}
  z:
    version: 1
    sha256: ${SHA}
automations:
  alpha:
    tier: 1
    since: t4
    by: d
    event: null
  zeta:
    tier: 2
    since: t3
    by: c
    event: ${'e'.repeat(64)}
`);
  });

  it('reads back to the same lock', () => {
    expect(schemas().lockSchema.parse(parse(serializeLock(v2)))).toEqual(v2);
  });

  it('writes a version 1 lock (no ledger) back as version 1, dropping nothing it was not given', () => {
    const v1: Lockfile = { lockfileVersion: 1, models: { fast: { ...v2.models.fast, served: undefined } }, prompts: {} };
    const text = serializeLock(v1);
    expect(text).toContain('lockfileVersion: 1\n');
    expect(text).not.toContain('served');
    expect(text).not.toContain('automations');
    expect(schemas().lockSchema.parse(parse(text))).toEqual(v1);
  });

  it('reads a version 1 lock as it is', () => {
    const v1 = schemas().lockSchema.parse(parse('lockfileVersion: 1\nmodels:\n  fast: { requested: "openai:x", resolved: "openai:x-2024-01-01", pinnedAt: t, pinnedBy: me }\nprompts: {}\n'));
    expect(v1).toEqual({ lockfileVersion: 1, models: { fast: { requested: 'openai:x', resolved: 'openai:x-2024-01-01', pinnedAt: 't', pinnedBy: 'me' } }, prompts: {} });
  });

  it('refuses an unknown version and a tier outside 1..3', () => {
    expect(schemas().lockSchema.safeParse({ lockfileVersion: 3, models: {}, prompts: {} }).success).toBe(false);
    const bad = schemas().lockSchema.safeParse({ lockfileVersion: 2, automations: { a: { tier: 4, since: 't', by: 'b', event: null } } });
    expect(bad.success ? '' : bad.error.issues[0].message).toBe('expected 1, 2 or 3');
  });

  it('starts empty at version 2, and writes times to the second', () => {
    expect(serializeLock(emptyLock())).toBe('# Written by `aigov pin` and `aigov promote`. Do not edit by hand.\nlockfileVersion: 2\nmodels: {}\nprompts: {}\nautomations: {}\n');
    expect(lockTime(new Date('2026-11-24T10:00:00.123Z'))).toBe('2026-11-24T10:00:00Z');
  });
});
