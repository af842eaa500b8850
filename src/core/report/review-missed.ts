// `review_missed`: the review of the cadence period before a month was not
// signed off (`aigov report --sign-off` logs `review_completed` for a month).
// A sign-off is for a month, so a weekly or monthly cadence asks for the month
// before; a quarterly one for any of the three months before. Pure.
import type { Cadence } from '../tiers/policy.js';
import { addMonths } from './month.js';

/** The months whose sign-off counts for the review before `month`, oldest first. */
export function periodBefore(month: string, cadence: Cadence): string[] {
  const months = cadence === 'quarterly' ? 3 : 1;
  return Array.from({ length: months }, (_, i) => addMonths(month, i - months));
}

export interface ReviewMissed {
  period: string[];
}

/**
 * Null when the review was held, or when there was nothing to review (no run
 * started in the period: a new automation has no review to miss).
 */
export function reviewMissed(month: string, cadence: Cadence, signedOff: ReadonlySet<string>, runsIn: (month: string) => number): ReviewMissed | null {
  const period = periodBefore(month, cadence);
  if (period.some((m) => signedOff.has(m))) return null;
  if (!period.some((m) => runsIn(m) > 0)) return null;
  return { period };
}
