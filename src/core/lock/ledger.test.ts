import { describe, expect, it } from 'vitest';
import { effectiveTier } from './effective-tier.js';
import { nextLedger } from './ledger.js';

const entry = { since: '2026-12-01T00:00:00Z', by: 'jane@example.com' };
const kept = { tier: 3 as const, since: '2026-01-01T00:00:00Z', by: 'ops@example.com', event: 'f'.repeat(64) };
const files = (tiers: Record<string, 1 | 2 | 3>) => new Map(Object.entries(tiers).map(([id, tier]) => [id, { tier }]));

describe('nextLedger', () => {
  it('keeps every entry as it is, whatever the file says, and enters a new automation at tier 1', () => {
    const r = nextLedger(files({ old: 1, fresh: 3 }), { lockfileVersion: 2, automations: { old: kept } }, entry);
    expect(r.ledger).toEqual({ fresh: { tier: 1, ...entry, event: null }, old: kept });
    expect(r.added).toEqual([{ automation: 'fresh', tier: 1, how: 'new' }]);
  });

  it('with no lock at all, every automation is new', () => {
    expect(nextLedger(files({ a: 2 }), undefined, entry).ledger).toEqual({ a: { tier: 1, ...entry, event: null } });
  });

  it('from a version 1 lock (no ledger), each enters at its file tier: upgrading aigov demotes nothing', () => {
    const r = nextLedger(files({ a: 2, b: 1 }), { lockfileVersion: 1 }, entry);
    expect(r.ledger).toEqual({ a: { tier: 2, ...entry, event: null }, b: { tier: 1, ...entry, event: null } });
    expect(r.added.map((a) => a.how)).toEqual(['from a version 1 lock', 'from a version 1 lock']);
  });

  it('drops the entry of an automation whose file is gone; the run log keeps its history', () => {
    expect(nextLedger(files({}), { lockfileVersion: 2, automations: { gone: kept } }, entry).ledger).toEqual({});
  });
});

describe('effectiveTier', () => {
  it.each([
    ['raised by hand: the ledger wins', 3, { automations: { a: { ...kept, tier: 1 as const } } }, 1],
    ['lowered by hand: takes effect at once', 1, { automations: { a: kept } }, 1],
    ['as locked', 2, { automations: { a: { ...kept, tier: 2 as const } } }, 2],
    ['not in the ledger: tier 1', 3, { automations: {} }, 1],
    ['a version 1 lock has no ledger: the file', 2, { automations: undefined }, 2],
    ['no lock: the file', 2, undefined, 2],
  ] as const)('%s', (_n, file, lock, tier) => expect(effectiveTier('a', file, lock)).toBe(tier));
});
