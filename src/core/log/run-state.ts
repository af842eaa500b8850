// A run's state, folded from its events. Nothing is ever updated in place: the
// latest review decision and every action are read back from the log. Pure.
import type { Disposition, EventType, Impact, LoggedEvent } from './events.js';

/** The events that end a run: it has at most one, which conditional appends enforce. */
export const RUN_ENDS: readonly EventType[] = ['run_finished', 'run_failed', 'run_abandoned'];

/** Where a run's action stands, for `aigov runs` and `trace`: null when it took none. */
export type ActionState = 'taken' | 'failed' | 'in_doubt' | 'reverted' | 'revert_in_doubt';

export interface RunState {
  runId: string;
  automation: string | null;
  started?: LoggedEvent;
  finished?: LoggedEvent;
  failed?: LoggedEvent;
  review?: LoggedEvent;
  actions: LoggedEvent[];
  reverted: LoggedEvent[];
  tags: LoggedEvent[];
  /** action_started, action_failed, notification_sent, revert_started: in log order. */
  actionsStarted: LoggedEvent[];
  actionsFailed: LoggedEvent[];
  notifications: LoggedEvent[];
  revertsStarted: LoggedEvent[];
  /** A person closed the run, which had started and never finished. */
  abandoned?: LoggedEvent;
  /** An action_started that no action_taken or action_failed followed: the action may have happened. */
  inDoubt?: LoggedEvent;
  /** A revert_started that no action_reverted followed: the reversal command may have run. */
  revertInDoubt?: LoggedEvent;
  disposition?: Disposition;
  /** The output to act on: an override's corrected output, else the model's. */
  output?: unknown;
  /** 'review' or 'approval' while a person still has to decide; null once decided or when none was needed. */
  awaiting: 'review' | 'approval' | null;
  rejected: boolean;
}

export function runState(runId: string, events: readonly LoggedEvent[]): RunState {
  const s: RunState = { runId, automation: null, actions: [], reverted: [], tags: [], actionsStarted: [], actionsFailed: [], notifications: [], revertsStarted: [], awaiting: null, rejected: false };
  for (const e of events) {
    if (e.runId !== runId) continue;
    s.automation ??= e.automation;
    switch (e.type) {
      case 'run_started':
        s.started = e;
        break;
      case 'run_finished':
        s.finished = e;
        s.disposition = e.data.disposition as Disposition;
        s.output = e.data.output;
        break;
      case 'run_failed':
        s.failed ??= e;
        break;
      case 'review_resolved':
        // Decisions are final: should two reviewers race, the first one logged stands.
        if (s.review) break;
        s.review = e;
        if (e.data.decision === 'override') s.output = e.data.output;
        break;
      case 'action_started':
        s.actionsStarted.push(e);
        s.inDoubt = e;
        break;
      case 'action_taken':
        s.actions.push(e);
        s.inDoubt = undefined;
        break;
      case 'action_failed':
        s.actionsFailed.push(e);
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
      case 'run_abandoned':
        s.abandoned ??= e;
        break;
      case 'impact_tagged':
        s.tags.push(e);
        break;
    }
  }
  const decision = s.review?.data.decision;
  s.rejected = decision === 'reject';
  if (!decision && s.disposition === 'review') s.awaiting = 'review';
  if (!decision && s.disposition === 'approval_required') s.awaiting = 'approval';
  return s;
}

/** Every downstream impact of a run: its actions', an action in doubt's, and its later tags'. */
export function impactsOf(s: RunState): Impact[] {
  return [
    ...s.actions.flatMap((a) => (a.data.impacts as Impact[] | undefined) ?? []),
    ...((s.inDoubt?.data.impacts as Impact[] | undefined) ?? []),
    ...s.tags.map((t) => ({ system: t.data.system as string, ref: t.data.ref as string | undefined, action: t.data.action as string | undefined })),
  ];
}

/** The seq of the run's newest event of one of `types`, or null: what a conditional append expects to be unchanged. */
export function newestSeq(events: readonly LoggedEvent[], runId: string, types: readonly string[]): number | null {
  let seq: number | null = null;
  for (const e of events) if (e.runId === runId && types.includes(e.type) && (seq === null || e.seq > seq)) seq = e.seq;
  return seq;
}

export function actionStateOf(s: RunState): ActionState | null {
  if (s.reverted.some((r) => (r.data.result as { ok?: boolean } | undefined)?.ok)) return 'reverted';
  if (s.revertInDoubt) return 'revert_in_doubt';
  if (s.inDoubt) return 'in_doubt';
  if (s.actions.length > 0) return 'taken';
  if (s.actionsFailed.length > 0) return 'failed';
  return null;
}
