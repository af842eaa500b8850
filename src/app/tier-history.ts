// `aigov promote X --history`: every tier change of one automation the run log
// holds, oldest first, each with the gates it was made on and whether it is the
// change aigov.lock names.
import { UsageError } from '../errors.js';
import { didYouMean } from '../core/suggest.js';
import { ledgerStatuses, tierChangeRecord, type LedgerEntry, type TierChangeRecord } from '../core/tiers/history.js';
import type { Workspace } from '../core/workspace/workspace.js';
import type { Store } from '../store/types.js';

export interface TierHistory {
  automation: string;
  /** The lock's entry (null: none, or a version 1 lock). */
  ledger: LedgerEntry | null;
  changes: TierChangeRecord[];
  /** The hash the lock's entry names when no tier_changed of the automation in this run log has it (another log, or one rebuilt). */
  lockEventMissing: string | null;
}

export async function tierHistory(ws: Workspace, store: Store, automation: string): Promise<TierHistory> {
  const ledger = ledgerEntry(ws, automation);
  const events = await store.query({ automation, types: ['tier_changed'], order: 'asc' });
  // An automation removed from the workspace keeps its history: known from the lock or the log.
  if (!ws.automations.has(automation) && !ledger && !events.length) {
    throw new UsageError(`unknown automation "${automation}"`, { hint: didYouMean(automation, ws.automations.keys()) });
  }
  const statuses = ledgerStatuses(events, ledger?.event);
  const changes = events.map((e, i) => tierChangeRecord(e, statuses[i]));
  const lockEventMissing = ledger?.event && !events.some((e) => e.hash === ledger.event) ? ledger.event : null;
  return { automation, ledger, changes, lockEventMissing };
}

export function ledgerEntry(ws: Workspace, automation: string): LedgerEntry | null {
  return ws.lock?.value.automations?.[automation] ?? null;
}
