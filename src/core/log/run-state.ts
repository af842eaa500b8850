// A run's state, folded from its events. Nothing is ever updated in place: the
// latest review decision and every action are read back from the log. Pure.
import type { Disposition, Impact, LoggedEvent } from './events.js';

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
  disposition?: Disposition;
  /** The output to act on: an override's corrected output, else the model's. */
  output?: unknown;
  /** 'review' or 'approval' while a person still has to decide; null once decided or when none was needed. */
  awaiting: 'review' | 'approval' | null;
  rejected: boolean;
}

export function runState(runId: string, events: readonly LoggedEvent[]): RunState {
  const s: RunState = { runId, automation: null, actions: [], reverted: [], tags: [], awaiting: null, rejected: false };
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
      case 'action_taken':
        s.actions.push(e);
        break;
      case 'action_reverted':
        s.reverted.push(e);
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

/** Every downstream impact of a run: its actions' and its later tags'. */
export function impactsOf(s: RunState): Impact[] {
  return [
    ...s.actions.flatMap((a) => (a.data.impacts as Impact[] | undefined) ?? []),
    ...s.tags.map((t) => ({ system: t.data.system as string, ref: t.data.ref as string | undefined, action: t.data.action as string | undefined })),
  ];
}
