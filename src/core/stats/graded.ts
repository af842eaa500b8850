// Graded runs, for calibration: a run a person judged (a review or approval
// decision, or an audit grade of a sampled auto run) is correct when approved
// and wrong when overridden or rejected; a reverted action makes it wrong
// whenever the revert comes. Kept by the hundredth of confidence with the sums
// that the reliability table, the Brier score and the threshold search need, so
// they are exact without a list of runs.
import { percentBin, PERCENT_BINS } from './percent.js';

export type GradeSource = 'review' | 'approval' | 'audit';

export interface Graded {
  /** Graded runs by where the grade came from: a low-confidence review, a tier-1 approval, an audit. */
  by: Record<GradeSource, number>;
  /** Graded runs that finished without a confidence in 0..1: counted, not binned. */
  unknownConfidence: number;
  /** Per bin of `percentBin`: graded runs, wrong ones, and sums of confidence, its square, and confidence of the wrong ones. */
  n: number[];
  wrong: number[];
  sumConfidence: number[];
  sumConfidenceSq: number[];
  sumConfidenceWrong: number[];
}

const zeros = (): number[] => Array<number>(PERCENT_BINS).fill(0);

export function emptyGraded(): Graded {
  return { by: { review: 0, approval: 0, audit: 0 }, unknownConfidence: 0, n: zeros(), wrong: zeros(), sumConfidence: zeros(), sumConfidenceSq: zeros(), sumConfidenceWrong: zeros() };
}

const usable = (c: number | null): c is number => c !== null && c >= 0 && c <= 1;

export function addGrade(g: Graded, confidence: number | null, correct: boolean, source: GradeSource): void {
  g.by[source]++;
  if (!usable(confidence)) {
    g.unknownConfidence++;
    return;
  }
  const k = percentBin(confidence);
  g.n[k]++;
  g.sumConfidence[k] += confidence;
  g.sumConfidenceSq[k] += confidence * confidence;
  if (!correct) {
    g.wrong[k]++;
    g.sumConfidenceWrong[k] += confidence;
  }
}

/** A run graded correct whose action was then reverted: it was wrong after all. */
export function regradeWrong(g: Graded, confidence: number | null): void {
  if (!usable(confidence)) return;
  const k = percentBin(confidence);
  g.wrong[k]++;
  g.sumConfidenceWrong[k] += confidence;
}

export function mergeGraded(into: Graded, from: Graded): void {
  for (const s of ['review', 'approval', 'audit'] as const) into.by[s] += from.by[s];
  into.unknownConfidence += from.unknownConfidence;
  for (const key of ['n', 'wrong', 'sumConfidence', 'sumConfidenceSq', 'sumConfidenceWrong'] as const) from[key].forEach((x, i) => (into[key][i] += x));
}

export function copyGraded(g: Graded): Graded {
  return { by: { ...g.by }, unknownConfidence: g.unknownConfidence, n: [...g.n], wrong: [...g.wrong], sumConfidence: [...g.sumConfidence], sumConfidenceSq: [...g.sumConfidenceSq], sumConfidenceWrong: [...g.sumConfidenceWrong] };
}
