// The exact (Clopper-Pearson) one-sided upper confidence bound of an error
// rate: the largest rate under which seeing `errors` or fewer in `n` runs still
// has a chance of at least 1 - level. It never understates the rate for small
// counts, which is what a threshold that lets runs pass unseen needs. Pure.
import { regularizedBeta } from '../stats/special.js';

export const BOUND_LEVEL = 0.95;

/** The one-sided `level` upper bound of the error rate after `errors` in `n` runs (1 when n is 0). */
export function upperBound(errors: number, n: number, level = BOUND_LEVEL): number {
  if (n <= 0 || errors >= n) return 1;
  if (errors <= 0) return 1 - (1 - level) ** (1 / n); // closed form: (1 - p)^n = 1 - level
  // The bound p solves I_p(errors + 1, n - errors) = level; I_p grows with p, so bisect.
  let lo = errors / n;
  let hi = 1;
  for (let i = 0; i < 200 && hi - lo > 1e-15; i++) {
    const mid = (lo + hi) / 2;
    if (regularizedBeta(mid, errors + 1, n - errors) < level) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The fewest runs, all correct, whose bound is within `maxErrorRate`. */
export function runsNeededWithoutError(maxErrorRate: number, level = BOUND_LEVEL): number {
  let n = Math.max(1, Math.ceil(Math.log(1 - level) / Math.log(1 - maxErrorRate)) - 1);
  while (upperBound(0, n, level) > maxErrorRate) n++;
  return n;
}

/**
 * About how many runs at the observed error rate would bring the bound within
 * `maxErrorRate`; null when the rate itself is not below it (more runs cannot
 * help) or when it would take more than `limit`.
 */
export function runsNeededAtRate(rate: number, maxErrorRate: number, level = BOUND_LEVEL, limit = 10_000_000): number | null {
  if (rate >= maxErrorRate) return null;
  if (rate <= 0) return runsNeededWithoutError(maxErrorRate, level);
  const fits = (n: number) => upperBound(Math.round(rate * n), n, level) <= maxErrorRate;
  let hi = 1;
  while (!fits(hi)) {
    hi *= 2;
    if (hi > limit) return null;
  }
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
