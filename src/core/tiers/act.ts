// The tier policy for acting on a run (SPEC "The library"): what `act` refuses,
// and what an action does at each tier. Pure: app/act.ts reads the run's state
// from the log, asks here, and throws or acts.
import type { RunState } from '../log/run-state.js';
import type { ErrorCode } from '../../errors.js';
import type { Tier } from './policy.js';

/** What acting does at a tier, beyond running the action and logging it. */
export interface TierActs {
  /** Opens a reversal window (when the automation configures `reversal`). */
  reversible: boolean;
  /** Runs the `notify` command after the action (when the automation configures one). */
  notifies: boolean;
}

/**
 * Tier 1 acts only after a person approved the run (the refusal below), and
 * then like tier 3: the person who approved it is the oversight. Tier 2 acts,
 * notifies and can be reversed; tier 3 acts and logs.
 */
export const TIER_ACTS: Readonly<Record<Tier, TierActs>> = {
  1: { reversible: false, notifies: false },
  2: { reversible: true, notifies: true },
  3: { reversible: false, notifies: false },
};

/** The tier a run was started at, as its run_started recorded it; an unreadable one counts as tier 1, the most guarded. */
export function runTier(s: Pick<RunState, 'started'>): Tier {
  const t = s.started?.data.tier;
  return t === 2 || t === 3 ? t : 1;
}

/** Why `act` refuses a run: `usage` is a caller's mistake (exit 2), `tier` what the tier or the run's state forbids (exit 1). */
export interface ActRefusal {
  kind: 'usage' | 'tier';
  code: ErrorCode;
  message: string;
  hint?: string;
}

/** Null when the run may be acted on now; else why not, the first reason that applies. */
export function actRefusal(s: RunState): ActRefusal | null {
  const id = s.runId;
  const tier = (code: ErrorCode, message: string, hint?: string): ActRefusal => ({ kind: 'tier', code, message, ...(hint ? { hint } : {}) });
  if (!s.started) return { kind: 'usage', code: 'E_USAGE', message: `unknown run ${id}` };
  if (s.abandoned) return tier('E_RUN_NOT_FINISHED', `run ${id} was closed as abandoned (${String(s.abandoned.data.reason)}); there is nothing to act on`);
  if (!s.finished) return tier('E_RUN_NOT_FINISHED', `run ${id} has not finished successfully; there is nothing to act on`);
  if (s.rejected) return tier('E_REJECTED', `run ${id} was rejected in review; it must not be acted on`);
  if (s.awaiting === 'review') return tier('E_AWAITING_REVIEW', `run ${id} is waiting in the review queue (low confidence)`, `aigov review approve ${id}`);
  if (s.awaiting === 'approval') return tier('E_APPROVAL_REQUIRED', `run ${id} is tier 1: a person must approve it before any action`, `aigov review approve ${id}`);
  if (s.inDoubt) {
    return tier(
      'E_IN_DOUBT',
      `run ${id} started an action at ${s.inDoubt.at} that has not recorded its end (it is still running, or its process died): it may have happened, so it is not run again`,
      `check ${describeImpacts(s.inDoubt.data.impacts)} by hand; \`aigov runs show ${id}\` has the details`,
    );
  }
  if (s.actions.length > 0 || s.revertsStarted.length > 0 || s.reverted.length > 0) {
    const reverted = s.reverted.length > 0 || s.revertsStarted.length > 0 ? ' and reverted' : '';
    return tier('E_ALREADY_ACTED', `run ${id} was already acted on${reverted}; an action is never repeated`, 'start a new run for a new action');
  }
  return null;
}

function describeImpacts(raw: unknown): string {
  const list = Array.isArray(raw) ? (raw as { system: string; ref?: string | null }[]) : [];
  if (!list.length) return 'the downstream systems';
  return list.map((i) => `${i.system}${i.ref ? `:${i.ref}` : ''}`).join(', ');
}
