// Quantiles in bounded memory: a log-bucketed sketch (the DDSketch method).
// Each value lands in the bucket [γ^(i-1), γ^i); a quantile is read back as its
// bucket's centre, within `accuracy` of the true value (relative), and the
// buckets needed grow with the logarithm of the range, not with the count:
// about 800 cover 1 ms to 1 hour at 1%.

export interface Sketch {
  count: number;
  zeros: number;
  buckets: Map<number, number>;
}

export const SKETCH_ACCURACY = 0.01;
const GAMMA = (1 + SKETCH_ACCURACY) / (1 - SKETCH_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);

export function newSketch(): Sketch {
  return { count: 0, zeros: 0, buckets: new Map() };
}

/** The bucket of a positive value; null for zero or for what is not a measurement. */
export function sketchBucket(value: number): number | null {
  return Number.isFinite(value) && value > 0 ? Math.ceil(Math.log(value) / LOG_GAMMA) : null;
}

/** Adds a non-negative value; anything else is not a measurement and is ignored. */
export function addToSketch(s: Sketch, value: number): void {
  if (!Number.isFinite(value) || value < 0) return;
  s.count++;
  if (value === 0) {
    s.zeros++;
    return;
  }
  addToBucket(s, sketchBucket(value)!, 1);
}

/** Adds `n` values of bucket `i` at once (what an aggregate over stored buckets gives). */
export function addToBucket(s: Sketch, i: number, n: number): void {
  s.buckets.set(i, (s.buckets.get(i) ?? 0) + n);
}

export function mergeSketch(into: Sketch, from: Sketch): void {
  into.count += from.count;
  into.zeros += from.zeros;
  for (const [i, n] of from.buckets) into.buckets.set(i, (into.buckets.get(i) ?? 0) + n);
}

/**
 * The value of rank ⌊q·(n−1)⌋ in sorted order (so the median of an even count is
 * the lower middle one), within the sketch's accuracy; null when empty.
 */
export function quantile(s: Sketch, q: number): number | null {
  if (!s.count) return null;
  const rank = Math.floor(q * (s.count - 1));
  if (rank < s.zeros) return 0;
  let seen = s.zeros;
  for (const i of [...s.buckets.keys()].sort((a, b) => a - b)) {
    seen += s.buckets.get(i)!;
    if (seen > rank) return (2 * GAMMA ** i) / (GAMMA + 1);
  }
  return null; // unreachable: the counts add up to count
}
