// The tier policy's audit sample (`review.sample: p`): which auto runs are also
// queued for a person to grade after the fact. Chosen by a hash of the run id
// aigov generated, so the choice is the same however often it is computed, no
// caller can steer it by retrying or by picking inputs, and over many runs the
// share sampled is p. Pure.
import { createHash } from 'node:crypto';
import type { Disposition } from '../log/events.js';

/**
 * The run id as a fraction in [0, 1): the first 8 bytes of sha256(runId), read
 * as an unsigned integer, over 2^64 (to 53 bits, the precision of a number).
 */
export function auditFraction(runId: string): number {
  const digest = createHash('sha256').update(runId, 'utf8').digest();
  return Number(digest.readBigUInt64BE(0) >> 11n) / 2 ** 53;
}

/**
 * Whether a finished run goes to the audit queue as well: only a run that is
 * acted on without a person (`auto`; a run sent to review or approval is
 * graded there already), and only when its fraction falls under the share.
 * A share of 0 (or none) samples nothing; 1 samples every auto run.
 */
export function auditSampled(runId: string, disposition: Disposition, share: number | undefined): boolean {
  if (disposition !== 'auto' || share === undefined || !(share > 0)) return false;
  return auditFraction(runId) < share;
}
