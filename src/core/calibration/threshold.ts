// The lowest confidence threshold that keeps the runs it lets pass accurate
// enough: for each threshold t on a grid of 0.01, the graded runs with
// confidence >= t (what the library would auto-pass) and the exact one-sided
// 95% upper bound of their error rate; the lowest t whose bound is within
// 1 - target precision wins. A candidate is a hundredth that holds graded runs:
// a threshold below the lowest graded run it lets pass would let through
// confidences nobody has graded, on no evidence. Pure.
import type { Graded } from '../stats/graded.js';
import { BOUND_LEVEL, runsNeededAtRate, runsNeededWithoutError, upperBound } from './clopper-pearson.js';

export interface Candidate {
  threshold: number;
  /** Graded runs at or above the threshold, and the wrong ones among them. */
  runs: number;
  errors: number;
  upperBound: number;
}

export interface ThresholdSearch {
  /** The lowest passing threshold, or null when none passes. */
  chosen: Candidate | null;
  /** The candidate with the lowest bound: what came closest, when none passes. */
  closest: Candidate | null;
  /** With no threshold passing: graded runs needed for one to pass (see `needed`). */
  needed: Needed | null;
}

export type Needed =
  /** Fewer graded runs than the bound can ever accept, even with no error among them. */
  | { kind: 'more_runs'; runs: number; withoutError: number }
  /** About this many graded runs at or above `threshold`, at the error rate seen there. */
  | { kind: 'more_runs_at_rate'; threshold: number; runs: number; errorRate: number }
  /** The error rate at or above every threshold is too high: more grades will not help. */
  | { kind: 'error_rate_too_high'; errorRate: number };

const GRID = 100;

export function searchThreshold(g: Graded, targetPrecision: number, level = BOUND_LEVEL): ThresholdSearch {
  const maxError = 1 - targetPrecision;
  const candidates: Candidate[] = [];
  let runs = 0;
  let errors = 0;
  // From the top down, so each candidate's counts are a running sum.
  for (let k = GRID - 1; k >= 0; k--) {
    runs += g.n[k];
    errors += g.wrong[k];
    if (g.n[k]) candidates.push({ threshold: k / GRID, runs, errors, upperBound: upperBound(errors, runs, level) });
  }
  candidates.reverse(); // lowest threshold first
  const chosen = candidates.find((c) => c.upperBound <= maxError + 1e-12) ?? null;
  const closest = candidates.reduce<Candidate | null>((best, c) => (!best || c.upperBound < best.upperBound ? c : best), null);
  if (chosen) return { chosen, closest, needed: null };
  const withoutError = runsNeededWithoutError(maxError, level);
  const total = candidates[0]?.runs ?? 0; // the lowest threshold lets every graded run pass
  if (!closest || total < withoutError) return { chosen, closest, needed: { kind: 'more_runs', runs: total, withoutError } };
  const rate = closest.errors / closest.runs;
  const atRate = runsNeededAtRate(rate, maxError, level);
  return { chosen, closest, needed: atRate === null ? { kind: 'error_rate_too_high', errorRate: rate } : { kind: 'more_runs_at_rate', threshold: closest.threshold, runs: atRate, errorRate: rate } };
}
