// The figures of one automation in one time window, as the fold accumulates them.
import { copyGraded, emptyGraded, mergeGraded, type Graded } from './graded.js';
import { emptyPercent, percentBin } from './percent.js';
import { addToSketch, mergeSketch, newSketch, quantile, type Sketch } from './sketch.js';

export const CONFIDENCE_BINS = 10;

/** What is counted in the window of a run's start, whenever the event that settles it comes. */
export interface Counts {
  started: number;
  finished: number;
  failed: number;
  /** Started and never finished, closed by a person (`aigov runs close`). */
  abandoned: number;
  /** Finished with disposition `review` (low confidence or a model mismatch). */
  sentToReview: number;
  /** Of those, the ones sent for low confidence: a mismatch alone does not count. */
  lowConfidenceReviews: number;
  /** Finished with disposition `approval_required` (tier 1). */
  approvalRequired: number;
  approvals: number;
  overrides: number;
  rejections: number;
  /** Runs whose action was reverted. */
  reverted: number;
  /** Runs a person corrected: overridden, rejected or reverted, each run counted once. */
  corrected: number;
  /** Runs answered by another model than the lock says is served. */
  modelMismatches: number;
  /** Auto runs sampled for the audit queue, and the grades given to them (kept apart from review decisions). */
  audited: number;
  auditGrades: { approve: number; override: number; reject: number };
  tokens: { input: number; output: number };
  costUsd: number;
  /** Finished runs with no cost (no price for the model). */
  costUnknown: number;
}

export interface WindowStats extends Counts {
  window: string;
  /** Finished runs by confidence: bin i holds [i/10, (i+1)/10), the last one also 1. */
  confidence: { bins: number[]; unknown: number };
  /** Finished runs by the hundredth of confidence (`percentBin`): what medians, rank tests and coverage read. */
  confidencePercent: number[];
  /** Runs a person graded (reviews, approvals, audits), for calibration. */
  graded: Graded;
  /** Of finished runs, within the sketch's 1%. */
  latencyMs: { median: number | null; p95: number | null };
}

export interface WindowAcc extends Counts {
  window: string;
  bins: number[];
  percent: number[];
  unknownConfidence: number;
  graded: Graded;
  latency: Sketch;
}

export function newWindow(window: string): WindowAcc {
  return {
    window,
    started: 0,
    finished: 0,
    failed: 0,
    abandoned: 0,
    sentToReview: 0,
    lowConfidenceReviews: 0,
    approvalRequired: 0,
    approvals: 0,
    overrides: 0,
    rejections: 0,
    reverted: 0,
    corrected: 0,
    modelMismatches: 0,
    audited: 0,
    auditGrades: { approve: 0, override: 0, reject: 0 },
    tokens: { input: 0, output: 0 },
    costUsd: 0,
    costUnknown: 0,
    bins: Array(CONFIDENCE_BINS).fill(0),
    percent: emptyPercent(),
    unknownConfidence: 0,
    graded: emptyGraded(),
    latency: newSketch(),
  };
}

export function addConfidence(w: WindowAcc, confidence: number | null): void {
  if (confidence === null || confidence < 0 || confidence > 1) w.unknownConfidence++;
  else {
    w.bins[Math.min(CONFIDENCE_BINS - 1, Math.floor(confidence * CONFIDENCE_BINS))]++;
    w.percent[percentBin(confidence)]++;
  }
}

export function addLatency(w: WindowAcc, ms: number | null): void {
  if (ms !== null) addToSketch(w.latency, ms);
}

const COUNTERS = ['started', 'finished', 'failed', 'abandoned', 'sentToReview', 'lowConfidenceReviews', 'approvalRequired', 'approvals', 'overrides', 'rejections', 'reverted', 'corrected', 'modelMismatches', 'audited', 'costUsd', 'costUnknown'] as const;

/** Several windows as one (the total over a range): counts add, histograms and sketches merge. */
export function mergeWindows(window: string, parts: readonly WindowAcc[]): WindowAcc {
  const m = newWindow(window);
  for (const p of parts) {
    for (const k of COUNTERS) m[k] += p[k];
    for (const g of ['approve', 'override', 'reject'] as const) m.auditGrades[g] += p.auditGrades[g];
    m.tokens.input += p.tokens.input;
    m.tokens.output += p.tokens.output;
    p.bins.forEach((n, i) => (m.bins[i] += n));
    p.percent.forEach((n, i) => (m.percent[i] += n));
    mergeGraded(m.graded, p.graded);
    m.unknownConfidence += p.unknownConfidence;
    mergeSketch(m.latency, p.latency);
  }
  return m;
}

export function windowStats(w: WindowAcc): WindowStats {
  const counts = Object.fromEntries(COUNTERS.map((k) => [k, w[k]])) as Pick<Counts, (typeof COUNTERS)[number]>;
  return {
    window: w.window,
    ...counts,
    auditGrades: { ...w.auditGrades },
    tokens: { ...w.tokens },
    confidence: { bins: [...w.bins], unknown: w.unknownConfidence },
    confidencePercent: [...w.percent],
    graded: copyGraded(w.graded),
    latencyMs: { median: quantile(w.latency, 0.5), p95: quantile(w.latency, 0.95) },
  };
}
