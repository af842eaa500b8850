// The library's check of the lock's promise for one run: did every answer come from the
// model the lock says is served? A mismatch is logged as `model_mismatch` and, unless the
// automation says `modelMismatch: warn`, sends the run to review at any tier.
import { expectedServed, servedMismatch } from '../core/lock/served.js';
import type { NewEvent } from '../core/log/events.js';
import type { Automation, LockedModel } from '../core/workspace/schemas.js';

export interface ServedCheck {
  /** `model_mismatch` with {expected, returned} as `provider:id`, or nothing. */
  events: NewEvent[];
  /** The run must go to review whatever its tier and confidence. */
  review: boolean;
  warning?: string;
}

export function checkServed(
  run: { automation: Pick<Automation, 'id' | 'modelMismatch'>; model: { provider: string; resolved: string }; locked: Pick<LockedModel, 'resolved' | 'served'> },
  returned: readonly (string | null)[],
  ids: { runId: string; actor: string },
): ServedCheck {
  const expected = expectedServed(run.locked);
  const other = returned.map((m) => servedMismatch(expected, m)).find((m) => m !== null);
  if (!other || !expected) return { events: [], review: false };
  const p = run.model.provider;
  const event: NewEvent = { type: 'model_mismatch', automation: run.automation.id, runId: ids.runId, actor: ids.actor, data: { expected: `${p}:${expected}`, returned: `${p}:${other}` } };
  const review = run.automation.modelMismatch !== 'warn';
  const warning = `${run.automation.id}: the API answered with ${other}, but aigov.lock says ${run.model.resolved} is served as ${expected}${review ? '; the run goes to review' : ''}`;
  return { events: [event], review, warning };
}
