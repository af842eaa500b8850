// The tests behind the monthly report's flags: is this month worse than last,
// beyond what chance gives? One-sided, because a flag only ever says "worse".
// Pure; checked against scipy's values in significance.test.ts.
import { fisherExact } from '../stats/paired.js';
import { normalCdf } from '../stats/special.js';

/**
 * Fisher's exact test, one-sided: the probability, if both months had the same
 * rate, of `x2` or more events among this month's `n2` runs, given `x1` of `n1`
 * last month (the hypergeometric upper tail). Exact at any count, so 1 of 3
 * against 0 of 3 is no evidence, and no normal approximation is needed for
 * small counts.
 */
export function fisherGreater(x2: number, n2: number, x1: number, n1: number): number {
  // This month as the row whose events are counted in the upper tail.
  return fisherExact({ base: { pass: x2, fail: n2 - x2 }, head: { pass: x1, fail: n1 - x1 } });
}

export interface RankTest {
  /** Pairs (this month, last month) where this month's confidence is higher, ties counting half. */
  u: number;
  /** u / (n1 n2): the chance that a run of this month is more confident than one of last month (0.5: no change). */
  superiority: number;
  /** One-sided: the probability of a u this low if both months came from one distribution. */
  pValue: number;
}

/**
 * The Mann-Whitney U test on two histograms over the same ordered bins (the
 * fold's confidence by the hundredth), one-sided for "this month lower": the
 * normal approximation with the tie correction and a continuity correction of
 * 1/2, as scipy's `mannwhitneyu(current, previous, alternative='less')`. It
 * compares the whole distributions: a month whose median holds while its low
 * tail grows is caught, and one noisy run is not.
 */
export function rankTestLower(current: readonly number[], previous: readonly number[]): RankTest | null {
  const n2 = current.reduce((s, x) => s + x, 0);
  const n1 = previous.reduce((s, x) => s + x, 0);
  if (!n1 || !n2) return null;
  let u = 0;
  let below = 0; // last month's runs in lower bins
  let ties = 0;
  for (let k = 0; k < Math.max(current.length, previous.length); k++) {
    const c = current[k] ?? 0;
    const p = previous[k] ?? 0;
    u += c * (below + p / 2);
    below += p;
    const t = c + p;
    ties += t * t * t - t;
  }
  const n = n1 + n2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1)));
  const pValue = variance > 0 ? normalCdf((u - mean + 0.5) / Math.sqrt(variance)) : 1;
  return { u, superiority: u / (n1 * n2), pValue: Math.min(1, pValue) };
}
