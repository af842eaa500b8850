// The human review queue: runs below their confidence threshold, and tier-1 runs awaiting approval.
import { GateError, UsageError } from '../errors.js';
import type { EventType } from '../core/log/events.js';
import { newestSeq, runState } from '../core/log/run-state.js';
import type { Store } from '../store/types.js';
import type { RecordedIdentity } from './identity.js';
import { loadRun, runRow, type RunRow } from './runs.js';

export type Decision = 'approve' | 'override' | 'reject';

export interface PendingRun extends RunRow {
  awaiting: 'review' | 'approval';
  output: unknown;
}

export async function pendingReviews(store: Store, f: { automation?: string } = {}): Promise<PendingRun[]> {
  const events = await store.query({ types: ['run_finished', 'review_resolved'], automation: f.automation, order: 'asc' });
  const byRun = new Map<string, typeof events>();
  for (const e of events) if (e.runId) byRun.set(e.runId, [...(byRun.get(e.runId) ?? []), e]);
  const out: PendingRun[] = [];
  for (const [runId, evs] of byRun) {
    const s = runState(runId, evs);
    if (!s.awaiting) continue;
    const full = (await loadRun(store, runId)).state;
    out.push({ ...runRow(full), awaiting: s.awaiting, output: full.output });
  }
  return out;
}

/** A decision is appended only if no other decision was logged since the run was read. */
const DECISIONS: readonly EventType[] = ['review_resolved'];

/**
 * Records a reviewer's decision. Decisions are final: a second one is refused,
 * and of two reviewers deciding at once the store lets only one write (the
 * other gets a ConflictError). `reviewer` is the name given (a claim);
 * `identity` is what the machine said beside it.
 */
export async function resolveReview(
  store: Store,
  runId: string,
  d: { decision: Decision; reviewer: string; identity: RecordedIdentity; reason?: string; output?: string; now: Date },
): Promise<void> {
  if ((d.decision === 'override' || d.decision === 'reject') && !d.reason?.trim()) throw new UsageError(`a reason is required to ${d.decision}`, { hint: '--reason "…"' });
  if (d.decision === 'override' && d.output === undefined) throw new UsageError('an override needs the corrected output', { hint: '--output "…" or --output-file FILE' });
  if (d.decision !== 'override' && d.output !== undefined) throw new UsageError('--output goes only with override');
  const { events, state } = await loadRun(store, runId);
  if (!state.finished) throw new UsageError(`run ${runId} has not finished; there is nothing to review`);
  if (state.review) {
    throw new GateError('E_ALREADY_RESOLVED', `run ${runId} was already resolved (${state.review.data.decision} by ${state.review.data.reviewer})`, {
      hint: 'decisions are final; for an acted-on tier-2 run use `aigov revert`',
    });
  }
  if (!state.awaiting) throw new UsageError(`run ${runId} is not waiting for review (disposition ${state.disposition})`);
  await store.append(
    [
      {
        type: 'review_resolved',
        automation: state.automation,
        runId,
        actor: d.reviewer,
        at: d.now.toISOString(),
        data: { decision: d.decision, reviewer: d.reviewer, reason: d.reason ?? null, ...(d.decision === 'override' ? { output: d.output } : {}), identity: d.identity },
      },
    ],
    { expect: { runId, types: DECISIONS, lastSeq: newestSeq(events, runId, DECISIONS) } },
  );
}
