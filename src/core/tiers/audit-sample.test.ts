import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { auditFraction, auditSampled } from './audit-sample.js';

/** Within 5 standard deviations of the binomial mean n·p: a chance of about 1 in 3.5 million to fail on fair coins. */
function expectBinomial(hits: number, n: number, p: number): void {
  const sd = Math.sqrt(n * p * (1 - p));
  expect(hits).toBeGreaterThanOrEqual(n * p - 5 * sd);
  expect(hits).toBeLessThanOrEqual(n * p + 5 * sd);
}

describe('auditFraction', () => {
  it('is the first 8 bytes of sha256(run id) over 2^64', () => {
    // sha256("abc") = ba7816bf8f01cfea…, and 0xba7816bf8f01cfea / 2^64 = 0.72839…
    expect(auditFraction('abc')).toBeCloseTo(0xba7816bf8f01cfea / 2 ** 64, 15);
    expect(auditFraction('abc')).toBeCloseTo(0.728395, 6);
    expect(auditSampled('abc', 'auto', 0.73)).toBe(true);
    expect(auditSampled('abc', 'auto', 0.72)).toBe(false);
  });

  it('is in [0, 1) and the same every time for the same id', () => {
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    const once = ids.map(auditFraction);
    for (const f of once) expect(f >= 0 && f < 1).toBe(true);
    expect(ids.map(auditFraction)).toEqual(once);
  });
});

describe('auditSampled', () => {
  it.each([0.02, 0.1, 0.5])('samples a share p = %s of thousands of ids, within binomial bounds, and the same ids each time', (p) => {
    const n = 20_000;
    const ids = Array.from({ length: n }, () => randomUUID());
    const picked = ids.filter((id) => auditSampled(id, 'auto', p));
    expectBinomial(picked.length, n, p);
    expect(ids.filter((id) => auditSampled(id, 'auto', p))).toEqual(picked);
    // Sequential ids are no easier to steer: the hash spreads them as well.
    expectBinomial(Array.from({ length: n }, (_, i) => `run-${i}`).filter((id) => auditSampled(id, 'auto', p)).length, n, p);
  });

  it('a larger share keeps every run a smaller one picked', () => {
    const ids = Array.from({ length: 5000 }, () => randomUUID());
    for (const id of ids) if (auditSampled(id, 'auto', 0.02)) expect(auditSampled(id, 'auto', 0.1)).toBe(true);
  });

  it('p = 0 or no sample never picks; p = 1 always does', () => {
    const ids = Array.from({ length: 5000 }, () => randomUUID());
    expect(ids.filter((id) => auditSampled(id, 'auto', 0))).toEqual([]);
    expect(ids.filter((id) => auditSampled(id, 'auto', undefined))).toEqual([]);
    expect(ids.filter((id) => auditSampled(id, 'auto', 1))).toEqual(ids);
  });

  it('never picks a run sent to review or awaiting approval: a person grades those already', () => {
    const ids = Array.from({ length: 1000 }, () => randomUUID());
    for (const disposition of ['review', 'approval_required'] as const) expect(ids.filter((id) => auditSampled(id, disposition, 1))).toEqual([]);
  });
});
