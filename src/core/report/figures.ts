// One automation's figures over a window: what a dashboard row shows and what
// the monthly report sets side by side for two months. Every rate comes from
// stats/rates.ts, so it means what promotion's gate means. Pure.
import { calibrate } from '../calibration/calibrate.js';
import type { Backlog } from '../stats/backlog.js';
import type { SuiteEvals } from '../stats/evals.js';
import { percentMedian } from '../stats/percent.js';
import { errorRate, lowConfidenceRate, overrideRate } from '../stats/rates.js';
import type { WindowStats } from '../stats/window-stats.js';

/** Flags on rates need this many runs in each month; calibration figures this many grades. */
export const MIN_RUNS = 20;

export interface LastEval {
  suite: string;
  passRate: number | null;
  passed: boolean;
  at: string;
}

export interface Figures {
  /** Runs started in the window. */
  runs: number;
  finished: number;
  failed: number;
  /** Runs overridden, rejected or reverted, each once. */
  corrected: number;
  lowConfidenceReviews: number;
  modelMismatches: number;
  /** failed / started, corrected / finished, low-confidence reviews / finished: fractions in 0..1, null without runs. */
  errorRate: number | null;
  overrideRate: number | null;
  lowConfidenceRate: number | null;
  /** Runs waiting for review or approval, and since when the oldest waits. */
  reviewBacklog: { count: number; oldestAt: string | null };
  /** Of finished runs, to the hundredth below. */
  medianConfidence: number | null;
  /** Finished runs by confidence, 10 bins of 0.1. */
  confidenceHistogram: number[];
  costUsd: number;
  /** The newest eval of any of its suites. */
  lastEval: LastEval | null;
  /** How well confidence predicts correctness, once at least MIN_RUNS runs are graded. */
  calibration: { graded: number; ece: number | null; threshold: number | null } | null;
}

export function figures(w: WindowStats, backlog: Pick<Backlog, 'count' | 'oldestAt'>, lastEval: LastEval | null): Figures {
  const c = calibrate({ automation: '', stats: w });
  return {
    runs: w.started,
    finished: w.finished,
    failed: w.failed,
    corrected: w.corrected,
    lowConfidenceReviews: w.lowConfidenceReviews,
    modelMismatches: w.modelMismatches,
    errorRate: errorRate(w),
    overrideRate: overrideRate(w),
    lowConfidenceRate: lowConfidenceRate(w),
    reviewBacklog: { count: backlog.count, oldestAt: backlog.oldestAt },
    medianConfidence: percentMedian(w.confidencePercent),
    confidenceHistogram: [...w.confidence.bins],
    costUsd: w.costUsd,
    lastEval,
    calibration: c.graded >= MIN_RUNS ? { graded: c.graded, ece: c.ece, threshold: c.threshold } : null,
  };
}

/** The newest eval of any of `suites` (ties: the first suite listed). */
export function lastEvalOf(evals: readonly SuiteEvals[], suites: readonly string[]): LastEval | null {
  let best: LastEval | null = null;
  for (const suite of suites) {
    const last = evals.find((e) => e.suite === suite)?.last;
    if (last && (!best || Date.parse(last.at) > Date.parse(best.at))) best = { suite, passRate: last.passRate, passed: last.passed, at: last.at };
  }
  return best;
}
