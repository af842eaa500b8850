// The lock's promise about the model: what the API reports as `model` when asked for the
// locked id. Eval and the library compare every answer with it. Pure.
import type { LockedModel } from '../workspace/schemas.js';

/**
 * The model id answers should report: the lock's `served`; for a lock that never recorded
 * one (version 1), the resolved id itself; null where the API is known to report none.
 */
export function expectedServed(locked: Pick<LockedModel, 'resolved' | 'served'>): string | null {
  if (locked.served !== undefined) return locked.served;
  return locked.resolved.slice(locked.resolved.indexOf(':') + 1);
}

/** The id an answer reported, when it differs from the one expected; null when they agree or there is nothing to compare. */
export function servedMismatch(expected: string | null, returned: string | null | undefined): string | null {
  if (!expected || !returned) return null;
  return returned === expected ? null : returned;
}
