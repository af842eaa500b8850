// The `automations` section of aigov.lock: the committed ledger of tier decisions.
// `aigov pin` keeps every entry as it is and enters new automations at tier 1;
// only `aigov promote` and `aigov demote` change a tier. Pure.
import type { LockedAutomation, Lockfile } from '../workspace/schemas.js';
import type { Tier } from './effective-tier.js';

export interface LedgerChange {
  automation: string;
  tier: Tier;
  /** Why it entered at this tier. */
  how: 'new' | 'from a version 1 lock';
}

/**
 * The ledger after a pin: every automation in the workspace, each keeping its entry.
 * A version 1 lock had no ledger; its automations enter at their file's tier, the only
 * record of a tier there was, so upgrading aigov demotes nothing in production.
 */
export function nextLedger(
  automations: ReadonlyMap<string, { tier: Tier }>,
  before: Pick<Lockfile, 'lockfileVersion' | 'automations'> | undefined,
  entry: { since: string; by: string },
): { ledger: Record<string, LockedAutomation>; added: LedgerChange[] } {
  const fromV1 = !!before && before.lockfileVersion === 1 && before.automations === undefined;
  const old = before?.automations ?? {};
  const ledger: Record<string, LockedAutomation> = {};
  const added: LedgerChange[] = [];
  for (const id of [...automations.keys()].sort()) {
    const kept = old[id];
    if (kept) {
      ledger[id] = kept;
      continue;
    }
    const tier: Tier = fromV1 ? automations.get(id)!.tier : 1;
    ledger[id] = { tier, since: entry.since, by: entry.by, event: null };
    added.push({ automation: id, tier, how: fromV1 ? 'from a version 1 lock' : 'new' });
  }
  return { ledger, added };
}
