// Which events the fold reads, so a caller can ask the store for those alone:
// the others (action_started, notification_sent, impact_tagged, revert_started,
// tier_changed, …) change no figure. fold.test.ts checks that leaving them out
// changes nothing.
import type { EventType } from '../log/events.js';

/** The events of runs that the fold counts. */
export const RUN_FOLD_TYPES: readonly EventType[] = ['run_started', 'run_finished', 'run_failed', 'run_abandoned', 'review_resolved', 'action_taken', 'action_reverted', 'model_mismatch'];

/** The eval results the fold keeps per suite. */
export const EVAL_FOLD_TYPES: readonly EventType[] = ['eval_completed'];
