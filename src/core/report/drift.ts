// The lock drift that concerns one automation (its model or its prompt), and
// tier drift: a tier in the file above what the lock records. Pure.
import { describeDrift, type Drift } from '../lock/drift.js';

export function driftFor(all: readonly Drift[], model: string | undefined, prompt: string): string[] {
  return all
    .filter((d) => {
      if (d.kind === 'no_lock') return true;
      if ('model' in d) return d.model === model && d.kind !== 'model_unused';
      return 'prompt' in d && d.prompt === prompt;
    })
    .map((d) => describeDrift(d).message);
}

/**
 * The tier the lock's `automations` ledger records for an automation, read
 * narrowly: a lock written before the ledger has none (undefined).
 */
export function lockedTier(lock: unknown, automation: string): number | undefined {
  const ledger = (lock as { automations?: Record<string, { tier?: unknown }> } | undefined)?.automations;
  const tier = ledger?.[automation]?.tier;
  return typeof tier === 'number' ? tier : undefined;
}

/** The tier a run gets: the lower of the file's and the lock's (SPEC, "The library"). */
export function effectiveTier(fileTier: number, locked: number | undefined): number {
  return locked === undefined ? fileTier : Math.min(fileTier, locked);
}
