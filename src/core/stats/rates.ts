// The rates of SPEC's promotion gates, from one window's counts. Every reader
// (promotion, dashboard, monthly report) calls these, so a rate means the same
// thing everywhere. Null when the denominator is zero: no runs, no rate.
import type { Counts } from './window-stats.js';

/** Failed runs / started runs. */
export function errorRate(c: Pick<Counts, 'failed' | 'started'>): number | null {
  return c.started ? c.failed / c.started : null;
}

/**
 * Runs a person corrected (overridden, rejected, or whose action was reverted)
 * / finished runs. A run overridden and then reverted counts once, so the rate
 * is a share of runs and never exceeds 1.
 */
export function overrideRate(c: Pick<Counts, 'corrected' | 'finished'>): number | null {
  return c.finished ? c.corrected / c.finished : null;
}

/** Runs sent to review for low confidence / finished runs. */
export function lowConfidenceRate(c: Pick<Counts, 'lowConfidenceReviews' | 'finished'>): number | null {
  return c.finished ? c.lowConfidenceReviews / c.finished : null;
}
