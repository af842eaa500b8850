// The human review queue: runs below their confidence threshold, and tier-1 runs awaiting approval.
import { GateError, UsageError } from '../errors.js';
import type { EventType } from '../core/log/events.js';
import { newestSeq } from '../core/log/run-state.js';
import type { Store } from '../store/types.js';
import type { RecordedIdentity } from './identity.js';
import { loadRun, rowsOfRecords, type RunRow } from './runs.js';

export type Decision = 'approve' | 'override' | 'reject';

export interface PendingRun extends RunRow {
  awaiting: 'review' | 'approval' | 'audit';
  output: unknown;
}

/**
 * The review queue, oldest first, a page at a time: the runs table's index of
 * runs a person still has to decide (or, with `audit`, of runs sampled for the
 * audit queue and not audited yet), with each run's output read from its
 * run_finished event.
 */
export async function* pendingReviewPages(store: Store, f: { automation?: string; audit?: boolean } = {}): AsyncIterable<PendingRun[]> {
  const q = { automation: f.automation, order: 'asc' as const, ...(f.audit ? { auditPending: true } : { awaiting: true }) };
  for await (const page of store.queryRuns(q)) {
    const rows = await rowsOfRecords(store, page);
    const finished = await store.query({ runIds: page.map((r) => r.runId), types: ['run_finished'] });
    const output = new Map(finished.map((e) => [e.runId, e.type === 'run_finished' ? e.data.output : undefined]));
    yield page.map((r, n) => ({ ...rows[n], awaiting: f.audit ? 'audit' : (r.awaiting ?? 'review'), output: output.get(r.runId) }));
  }
}

export async function pendingReviews(store: Store, f: { automation?: string; audit?: boolean } = {}): Promise<PendingRun[]> {
  const out: PendingRun[] = [];
  for await (const page of pendingReviewPages(store, f)) out.push(...page);
  return out;
}

/** A decision is appended only if no other decision was logged since the run was read. */
const DECISIONS: readonly EventType[] = ['review_resolved'];

/**
 * Records a reviewer's decision. Decisions are final: a second one is refused,
 * and of two reviewers deciding at once the store lets only one write (the
 * other gets a ConflictError). `reviewer` is the name given (a claim);
 * `identity` is what the machine said beside it.
 *
 * On a run in the audit queue (an auto run sampled by `review.sample`) the same
 * decision is its audit grade, logged with `audit: true`: approve says the run
 * was right, override (with the output it should have given) or reject that it
 * was wrong. The run was acted on as usual; a grade changes no action.
 */
export async function resolveReview(
  store: Store,
  runId: string,
  d: { decision: Decision; reviewer: string; identity: RecordedIdentity; reason?: string; output?: string; now: Date },
): Promise<{ audit: boolean }> {
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
  const audit = !state.awaiting && state.finished.data.audit === true;
  if (audit && state.audits.length > 0) {
    const first = state.audits[0].data;
    throw new GateError('E_ALREADY_RESOLVED', `run ${runId} was already audited (${first.decision} by ${first.reviewer})`, { hint: 'an audit grade is final, like a review decision' });
  }
  if (!state.awaiting && !audit) throw new UsageError(`run ${runId} is not waiting for review (disposition ${state.disposition})`, { hint: 'aigov review list, or aigov review list --audit' });
  await store.append(
    [
      {
        type: 'review_resolved',
        automation: state.automation,
        runId,
        actor: d.reviewer,
        at: d.now.toISOString(),
        data: { decision: d.decision, reviewer: d.reviewer, reason: d.reason ?? null, ...(d.decision === 'override' ? { output: d.output } : {}), ...(audit ? { audit: true } : {}), identity: d.identity },
      },
    ],
    { expect: { runId, types: DECISIONS, lastSeq: newestSeq(events, runId, DECISIONS) } },
  );
  return { audit };
}
