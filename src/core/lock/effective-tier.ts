// The tier a run gets: the lower of what the automation's file says and what the lock's
// ledger records, so a tier raised by hand never takes effect and one lowered by hand
// does at once. Pure.
import type { Lockfile } from '../workspace/schemas.js';

export type Tier = 1 | 2 | 3;

export function effectiveTier(automation: string, fileTier: Tier, lock: Pick<Lockfile, 'automations'> | undefined): Tier {
  const ledger = lock?.automations;
  // A version 1 lock has no ledger: the file's tier is the only record there is.
  if (!ledger) return fileTier;
  // Not in the ledger: it has not been through `aigov pin`, so nothing vouches for more than tier 1.
  const locked = ledger[automation]?.tier ?? 1;
  return Math.min(fileTier, locked) as Tier;
}
