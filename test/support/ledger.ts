// Tests that need an automation above tier 1 record that tier in aigov.lock's ledger,
// as `aigov promote` would after its gates passed (`aigov pin` enters every new
// automation at tier 1, and a run gets the lower of the file's and the ledger's tier).
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { serializeLock } from '../../src/core/lock/lockfile.js';
import { schemas } from '../../src/core/workspace/schemas.js';

export function grantTiers(lockText: string, tiers: Record<string, 1 | 2 | 3>, by = 'promote@example.com'): string {
  const lock = schemas().lockSchema.parse(parse(lockText));
  const automations = { ...lock.automations };
  for (const [id, tier] of Object.entries(tiers)) automations[id] = { tier, since: '2026-11-01T00:00:00Z', by, event: null };
  return serializeLock({ ...lock, automations });
}

/** The same, in a workspace's aigov.lock, each automation at the tier its file says. */
export function grantFileTiers(root: string, tiers: Record<string, 1 | 2 | 3>): void {
  const path = join(root, 'aigov.lock');
  writeFileSync(path, grantTiers(readFileSync(path, 'utf8'), tiers));
}
