// `aigov calibrate`: how well an automation's confidence predicts correctness,
// from the runs people graded, and the threshold that meets a target precision.
// Pure: the stats fold's figures in, the answer out.
import { percentMedian, shareAtOrAbove } from '../stats/percent.js';
import type { WindowStats } from '../stats/window-stats.js';
import { BOUND_LEVEL } from './clopper-pearson.js';
import { reliability, type ReliabilityBin } from './reliability.js';
import { searchThreshold, type Candidate, type Needed } from './threshold.js';

export const DEFAULT_TARGET_PRECISION = 0.95;

/**
 * Where the grades come from, which decides whether they are a fair sample:
 * - `complete`: no run passed automatically, so every finished run went to a person (tier 1);
 * - `audited`: runs passed automatically and an audit sample of them was graded;
 * - `unaudited`: runs passed automatically and none was graded: the grades are
 *   only of runs sent to review (below the threshold) and tier-1 approvals, and
 *   say nothing fair about the runs that pass.
 */
export type GradedSample = 'complete' | 'audited' | 'unaudited';

export interface Calibration {
  automation: string;
  targetPrecision: number;
  /** The confidence level of the bound. */
  level: number;
  /** Graded runs with a confidence in 0..1 (those the table and the threshold read). */
  graded: number;
  correct: number;
  wrong: number;
  /** Graded runs that finished without a confidence: counted, not used. */
  gradedWithoutConfidence: number;
  sources: { review: number; approval: number; audit: number };
  sample: GradedSample;
  ece: number | null;
  brier: number | null;
  bins: ReliabilityBin[];
  threshold: number | null;
  /** Share of finished runs (with a confidence) at or above the threshold: what it would let pass. */
  coverage: number | null;
  /** The graded runs at or above the threshold: count, errors and the bound of their error rate. */
  autoPassed: Candidate | null;
  /** With no threshold: the candidate that came closest, and how many grades would be needed. */
  closest: Candidate | null;
  needed: Needed | null;
  /** The threshold in the automation's file now, and what it lets pass. */
  current: { threshold: number; coverage: number | null } | null;
  medianConfidence: number | null;
}

export interface CalibrationInput {
  automation: string;
  /** The stats fold's figures over the runs calibration reads. */
  stats: WindowStats;
  targetPrecision?: number;
  currentThreshold?: number;
}

export function calibrate(input: CalibrationInput): Calibration {
  const target = input.targetPrecision ?? DEFAULT_TARGET_PRECISION;
  const s = input.stats;
  const r = reliability(s.graded);
  const search = searchThreshold(s.graded, target);
  const threshold = search.chosen?.threshold ?? null;
  const autoRuns = s.finished - s.sentToReview - s.approvalRequired;
  const sample: GradedSample = autoRuns <= 0 ? 'complete' : s.graded.by.audit > 0 ? 'audited' : 'unaudited';
  return {
    automation: input.automation,
    targetPrecision: target,
    level: BOUND_LEVEL,
    graded: r.count,
    correct: r.count - r.wrong,
    wrong: r.wrong,
    gradedWithoutConfidence: s.graded.unknownConfidence,
    sources: { ...s.graded.by },
    sample,
    ece: r.ece,
    brier: r.brier,
    bins: r.bins,
    threshold,
    coverage: threshold === null ? null : shareAtOrAbove(s.confidencePercent, threshold),
    autoPassed: search.chosen,
    closest: search.chosen ? null : search.closest,
    needed: search.needed,
    current: input.currentThreshold === undefined ? null : { threshold: input.currentThreshold, coverage: shareAtOrAbove(s.confidencePercent, Math.ceil(input.currentThreshold * 100 - 1e-9) / 100) },
    medianConfidence: percentMedian(s.confidencePercent),
  };
}
