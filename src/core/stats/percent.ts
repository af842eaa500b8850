// Confidence by the hundredth: the finest histogram the fold keeps. Fine enough
// for a median to 0.01, a rank test on two months' confidences and a threshold
// search on a 0.01 grid; bounded (100 counts a window) however many runs come.

export const PERCENT_BINS = 100;

/**
 * The bin of a confidence in 0..1: bin k holds [k/100, (k+1)/100), the last one
 * also 1. Computed so that `c >= k / 100` holds exactly when the bin is at least
 * k, as the library compares a confidence with a threshold: a plain
 * `Math.floor(c * 100)` puts 0.29 in bin 28 (0.29 * 100 is 28.999…).
 */
export function percentBin(c: number): number {
  let k = Math.floor(c * 100);
  if (k > 0 && c < k / 100) k--;
  else if (c >= (k + 1) / 100) k++;
  return Math.min(PERCENT_BINS - 1, Math.max(0, k));
}

export function emptyPercent(): number[] {
  return Array<number>(PERCENT_BINS).fill(0);
}

/** The lower edge of the bin holding the value of rank ⌊(n−1)/2⌋ (the lower middle one), or null when empty. */
export function percentMedian(bins: readonly number[]): number | null {
  const n = bins.reduce((s, x) => s + x, 0);
  if (!n) return null;
  const rank = Math.floor((n - 1) / 2);
  let seen = 0;
  for (let k = 0; k < bins.length; k++) {
    seen += bins[k];
    if (seen > rank) return k / 100;
  }
  return null; // unreachable: the counts add up to n
}

/** Runs with a confidence at or above `threshold` (a multiple of 0.01), out of all binned. */
export function shareAtOrAbove(bins: readonly number[], threshold: number): number | null {
  const n = bins.reduce((s, x) => s + x, 0);
  if (!n) return null;
  const from = Math.round(threshold * 100);
  let above = 0;
  for (let k = from; k < bins.length; k++) above += bins[k];
  return above / n;
}
