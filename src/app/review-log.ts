// What the run log says about monthly reviews and tier changes: read with two
// indexed queries by type, before the fold needs them.
import type { Store } from '../store/types.js';

/** The months each automation's review was signed off for (`review_completed`). */
export async function signedOffMonths(store: Store): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const e of await store.query({ types: ['review_completed'], order: 'asc' })) {
    const month = e.data.month;
    if (!e.automation || typeof month !== 'string') continue;
    if (!out.has(e.automation)) out.set(e.automation, new Set());
    out.get(e.automation)!.add(month);
  }
  return out;
}

/** When each automation's tier last changed (`tier_changed`). */
export async function lastTierChanges(store: Store): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await store.query({ types: ['tier_changed'], order: 'asc' })) if (e.automation) out.set(e.automation, e.at);
  return out;
}
