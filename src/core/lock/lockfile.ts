// aigov.lock: deterministic key order so pull-request diffs stay small. A lock with a
// ledger of tiers is version 2; `aigov pin` always gives it one. A version 1 lock (no
// ledger) is written back as it is, so nothing here drops a ledger it was not given.
import { stringify } from 'yaml';
import type { Lockfile } from '../workspace/schemas.js';

export const LOCKFILE_VERSION = 2;
export const LOCK_HEADER = '# Written by `aigov pin` and `aigov promote`. Do not edit by hand.\n';

function sortedObject<T, U>(record: Record<string, T>, each: (v: T) => U): Record<string, U> {
  return Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((k) => [k, each(record[k])]),
  );
}

export function serializeLock(lock: Lockfile): string {
  const models = sortedObject(lock.models, (m) => ({
    requested: m.requested,
    resolved: m.resolved,
    // Absent (not null) when never recorded: `pin --check` tells the two apart.
    ...(m.served === undefined ? {} : { served: m.served }),
    pinnedAt: m.pinnedAt,
    pinnedBy: m.pinnedBy,
  }));
  const prompts = sortedObject(lock.prompts, (p) => ({ version: p.version, sha256: p.sha256 }));
  if (!lock.automations) return LOCK_HEADER + stringify({ lockfileVersion: lock.lockfileVersion, models, prompts }, { lineWidth: 0 });
  const automations = sortedObject(lock.automations, (a) => ({ tier: a.tier, since: a.since, by: a.by, event: a.event }));
  return LOCK_HEADER + stringify({ lockfileVersion: LOCKFILE_VERSION, models, prompts, automations }, { lineWidth: 0 });
}

export function emptyLock(): Lockfile {
  return { lockfileVersion: LOCKFILE_VERSION, models: {}, prompts: {}, automations: {} };
}

/** An ISO 8601 time to the second, as the lock writes times. */
export function lockTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
