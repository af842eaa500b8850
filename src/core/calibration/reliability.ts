// How well confidence predicts correctness, over graded runs: the reliability
// table (10 equal-width bins), the expected calibration error and the Brier
// score. Exact: the fold keeps the sums these need by the hundredth. Pure.
import type { Graded } from '../stats/graded.js';

export const RELIABILITY_BINS = 10;

export interface ReliabilityBin {
  /** Confidences in [from, to); the last bin also holds 1. */
  from: number;
  to: number;
  count: number;
  /** Null for an empty bin. */
  meanConfidence: number | null;
  /** Share of the bin's runs that were correct. */
  accuracy: number | null;
}

export interface Reliability {
  /** Graded runs with a confidence. */
  count: number;
  wrong: number;
  bins: ReliabilityBin[];
  /** Σ over bins of (count / total) × |accuracy − mean confidence|; null without graded runs. */
  ece: number | null;
  /** Mean of (confidence − outcome)², outcome 1 when correct; null without graded runs. */
  brier: number | null;
}

export function reliability(g: Graded): Reliability {
  const per = g.n.length / RELIABILITY_BINS;
  const bins: ReliabilityBin[] = [];
  let count = 0;
  let wrong = 0;
  let sumSq = 0;
  let sumCorrectConfidence = 0;
  for (let b = 0; b < RELIABILITY_BINS; b++) {
    let n = 0;
    let w = 0;
    let sum = 0;
    for (let k = b * per; k < (b + 1) * per; k++) {
      n += g.n[k];
      w += g.wrong[k];
      sum += g.sumConfidence[k];
      sumSq += g.sumConfidenceSq[k];
      sumCorrectConfidence += g.sumConfidence[k] - g.sumConfidenceWrong[k];
    }
    count += n;
    wrong += w;
    bins.push({ from: b / RELIABILITY_BINS, to: (b + 1) / RELIABILITY_BINS, count: n, meanConfidence: n ? sum / n : null, accuracy: n ? (n - w) / n : null });
  }
  if (!count) return { count, wrong, bins, ece: null, brier: null };
  const ece = bins.reduce((s, b) => (b.count ? s + (b.count / count) * Math.abs(b.accuracy! - b.meanConfidence!) : s), 0);
  // Σ(c − y)² = Σc² − 2 Σ_{correct} c + #correct
  const brier = (sumSq - 2 * sumCorrectConfidence + (count - wrong)) / count;
  return { count, wrong, bins, ece, brier };
}
