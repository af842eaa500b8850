// aigov.lock: deterministic key order so pull-request diffs stay small.
import { stringify } from 'yaml';
import type { Lockfile } from '../workspace/schemas.js';

const HEADER = '# Written by `aigov pin`. Do not edit by hand.\n';

function sortedObject<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}

export function serializeLock(lock: Lockfile): string {
  const models = sortedObject(
    Object.fromEntries(
      Object.entries(lock.models).map(([k, m]) => [k, { requested: m.requested, resolved: m.resolved, pinnedAt: m.pinnedAt, pinnedBy: m.pinnedBy }]),
    ),
  );
  const prompts = sortedObject(Object.fromEntries(Object.entries(lock.prompts).map(([k, p]) => [k, { version: p.version, sha256: p.sha256 }])));
  const body = stringify({ lockfileVersion: 1, models, prompts }, { lineWidth: 0 });
  return HEADER + body;
}

export function emptyLock(): Lockfile {
  return { lockfileVersion: 1, models: {}, prompts: {} };
}
