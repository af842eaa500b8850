// A run's state, folded from its events. Nothing is ever updated in place: the
// latest review decision and every action are read back from the log. Pure.
import type { Disposition, EventOf, EventType, Impact, LoggedEvent } from './events.js';

/** The events that end a run: it has at most one, which conditional appends enforce. */
export const RUN_ENDS: readonly EventType[] = ['run_finished', 'run_failed', 'run_abandoned'];

export interface RunState {
  runId: string;
  automation: string | null;
  started?: EventOf<'run_started'>;
  finished?: EventOf<'run_finished'>;
  failed?: EventOf<'run_failed'>;
  abandoned?: EventOf<'run_abandoned'>;
  review?: EventOf<'review_resolved'>;
  /** Audit reviews of the run (review_resolved with audit: true), oldest first. */
  audits: EventOf<'review_resolved'>[];
  /** Every action_started, oldest first. */
  attempts: EventOf<'action_started'>[];
  actions: EventOf<'action_taken'>[];
  actionFailures: EventOf<'action_failed'>[];
  notifications: EventOf<'notification_sent'>[];
  reverted: EventOf<'action_reverted'>[];
  tags: EventOf<'impact_tagged'>[];
  /**
   * An action_started with no action_taken or action_failed after it: the
   * action may have happened. Its impacts count as touched.
   */
  inDoubt?: EventOf<'action_started'>;
  /** Every revert_started, oldest first. */
  revertsStarted: EventOf<'revert_started'>[];
  /** A revert_started that no action_reverted followed: the reversal command may have run. */
  revertInDoubt?: EventOf<'revert_started'>;
  disposition?: Disposition;
  /** The output to act on: an override's corrected output, else the model's. */
  output?: unknown;
  /** 'review' or 'approval' while a person still has to decide; null once decided or when none was needed. */
  awaiting: 'review' | 'approval' | null;
  rejected: boolean;
}

export function runState(runId: string, events: readonly LoggedEvent[]): RunState {
  const s: RunState = {
    runId,
    automation: null,
    audits: [],
    attempts: [],
    actions: [],
    actionFailures: [],
    notifications: [],
    reverted: [],
    tags: [],
    revertsStarted: [],
    awaiting: null,
    rejected: false,
  };
  for (const e of events) {
    if (e.runId !== runId) continue;
    s.automation ??= e.automation;
    switch (e.type) {
      case 'run_started':
        s.started = e;
        break;
      case 'run_finished':
        s.finished = e;
        s.disposition = e.data.disposition;
        s.output = e.data.output;
        break;
      case 'run_failed':
        s.failed ??= e;
        break;
      case 'run_abandoned':
        s.abandoned ??= e;
        break;
      case 'review_resolved':
        if (e.data.audit === true) {
          s.audits.push(e);
          break;
        }
        // Decisions are final: should two reviewers race, the first one logged stands.
        if (s.review) break;
        s.review = e;
        if (e.data.decision === 'override') s.output = e.data.output;
        break;
      case 'action_started':
        s.attempts.push(e);
        s.inDoubt = e;
        break;
      case 'action_taken':
        s.actions.push(e);
        s.inDoubt = undefined;
        break;
      case 'action_failed':
        s.actionFailures.push(e);
        s.inDoubt = undefined;
        break;
      case 'notification_sent':
        s.notifications.push(e);
        break;
      case 'revert_started':
        s.revertsStarted.push(e);
        s.revertInDoubt = e;
        break;
      case 'action_reverted':
        s.reverted.push(e);
        s.revertInDoubt = undefined;
        break;
      case 'impact_tagged':
        s.tags.push(e);
        break;
      default:
        break;
    }
  }
  const decision = s.review?.data.decision;
  s.rejected = decision === 'reject';
  if (!decision && s.disposition === 'review') s.awaiting = 'review';
  if (!decision && s.disposition === 'approval_required') s.awaiting = 'approval';
  return s;
}

const asImpact = (i: { system: string; ref?: string | null; action?: string | null }): Impact => {
  const out: Impact = { system: i.system };
  if (i.ref !== undefined && i.ref !== null) out.ref = i.ref;
  if (i.action !== undefined && i.action !== null) out.action = i.action;
  return out;
};

/** Every downstream impact of a run: its actions', an action in doubt's, and its later tags'. */
export function impactsOf(s: RunState): Impact[] {
  return [
    ...s.actions.flatMap((a) => a.data.impacts.map(asImpact)),
    ...(s.inDoubt ? s.inDoubt.data.impacts.map(asImpact) : []),
    ...s.tags.map((t) => asImpact(t.data)),
  ];
}

/** The seq of the run's newest event of one of `types`, or null: what a conditional append expects to be unchanged. */
export function newestSeq(events: readonly LoggedEvent[], runId: string, types: readonly string[]): number | null {
  let seq: number | null = null;
  for (const e of events) if (e.runId === runId && types.includes(e.type) && (seq === null || e.seq > seq)) seq = e.seq;
  return seq;
}
