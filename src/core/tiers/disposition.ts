// The tier policy for a run's end: which disposition a finished run gets. Pure.
import { UsageError } from '../../errors.js';
import type { Disposition } from '../log/events.js';

/**
 * SPEC: below the automation's confidence threshold a run goes to review at any
 * tier; otherwise tier 1 needs approval and tiers 2-3 act. An unknown
 * confidence (null, or anything that is not a number in 0..1) counts as below
 * every threshold, a missing threshold included: such a run is never `auto`.
 */
export function dispositionOf(tier: 1 | 2 | 3, confidence: number | null, threshold: number | undefined): Disposition {
  if (!isConfidence(confidence)) return 'review';
  if (threshold !== undefined && confidence < threshold) return 'review';
  return tier === 1 ? 'approval_required' : 'auto';
}

export function isConfidence(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

/** A confidence handed in by a caller (`handle.finish`): a number in 0..1, or null/undefined for none. */
export function callerConfidence(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (isConfidence(value)) return value;
  const shown = typeof value === 'number' ? String(value) : typeof value === 'string' ? JSON.stringify(value) : typeof value;
  throw new UsageError(`confidence must be a finite number from 0 to 1 (or null for none), got ${shown}`, {
    code: 'E_CONFIDENCE',
    hint: typeof value === 'string' ? 'pass a number, not a string: Number(text) after checking it' : undefined,
  });
}
