import type { Disposition } from './log/events.js';

/**
 * SPEC: below the automation's confidence threshold a run goes to review at any tier
 * (an unknown confidence counts as below); otherwise tier 1 needs approval and tiers 2-3 act.
 */
export function dispositionOf(tier: 1 | 2 | 3, confidence: number | null, threshold: number | undefined): Disposition {
  if (threshold !== undefined && (confidence === null || confidence < threshold)) return 'review';
  return tier === 1 ? 'approval_required' : 'auto';
}
