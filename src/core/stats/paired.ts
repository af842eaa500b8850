// The exact one-sided tests behind `aigov eval --baseline`: did the head get
// worse than the base, beyond what chance gives? One-sided, because the gate
// only ever asks "worse". Exact at every count, so a handful of cases needs no
// normal approximation. Sums run in log space so thousands of cases neither
// overflow nor underflow. Pure.

const LOG_FACTORIAL: number[] = [0];

function logFactorial(n: number): number {
  for (let i = LOG_FACTORIAL.length; i <= n; i++) LOG_FACTORIAL.push(LOG_FACTORIAL[i - 1] + Math.log(i));
  return LOG_FACTORIAL[n];
}

/** Exact for whole numbers (a sum of logs, not a gamma approximation): the tests' p-values hold to 1e-15. */
function logChoose(n: number, k: number): number {
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** log(sum(exp(x))) over the terms, without overflow. */
function logSumExp(terms: readonly number[]): number {
  let max = -Infinity;
  for (const t of terms) if (t > max) max = t;
  if (max === -Infinity) return -Infinity;
  let s = 0;
  for (const t of terms) s += Math.exp(t - max);
  return max + Math.log(s);
}

function checkCount(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} must be a whole number >= 0, got ${n}`);
}

/**
 * McNemar's exact test, one-sided for a drop: of the pairs whose results
 * differ, `worse` passed at base and failed at head, `better` the other way.
 * Under "no change" each differing pair is a fair coin, so the p-value is
 * P(X <= better) for X ~ Binomial(worse + better, 1/2). 1 when no pair differs;
 * large (> 1/2) when the head got better.
 */
export function mcnemarExact(worse: number, better: number): number {
  checkCount('worse', worse);
  checkCount('better', better);
  const n = worse + better;
  if (n === 0) return 1;
  const terms: number[] = [];
  for (let k = 0; k <= better; k++) terms.push(logChoose(n, k) - n * Math.LN2);
  return Math.min(1, Math.exp(logSumExp(terms)));
}

/** A 2x2 table of counts: rows base and head, columns pass and fail. */
export interface PassFailTable {
  base: { pass: number; fail: number };
  head: { pass: number; fail: number };
}

/**
 * Fisher's exact test, one-sided for a drop, on independent samples: with the
 * margins fixed, the probability of the base holding `base.pass` or more of
 * all the passes (the hypergeometric upper tail). 1 when nothing failed or
 * nothing passed.
 */
export function fisherExact(t: PassFailTable): number {
  const { pass: a, fail: b } = t.base;
  const { pass: c, fail: d } = t.head;
  for (const [name, v] of [['base.pass', a], ['base.fail', b], ['head.pass', c], ['head.fail', d]] as const) checkCount(name, v);
  const rowBase = a + b;
  const passes = a + c;
  const n = a + b + c + d;
  const hi = Math.min(rowBase, passes);
  const logTotal = logChoose(n, passes);
  const terms: number[] = [];
  for (let x = a; x <= hi; x++) terms.push(logChoose(rowBase, x) + logChoose(n - rowBase, passes - x) - logTotal);
  return terms.length ? Math.min(1, Math.exp(logSumExp(terms))) : 1;
}
