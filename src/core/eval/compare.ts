// One suite at base and at head, case by case: what `--baseline` reports and
// gates on. A case is paired by id; the gate fails on a case that passed at
// base and fails at head on every sample (a deterministic regression), or on
// a drop in the pass rate that an exact one-sided test calls significant. Pure.
import { fisherExact, mcnemarExact } from '../stats/paired.js';
import type { CaseResult, SuiteComparison } from './report.js';

export const SIGNIFICANCE = 0.05;

/** The comparison of one suite's cases, as the report carries it (the fields are described there). */
export type CaseComparison = Omit<SuiteComparison, 'suite' | 'base' | 'head' | 'cases'>;

export function compareCases(base: readonly CaseResult[], head: readonly CaseResult[], alpha = SIGNIFICANCE): CaseComparison {
  const atHead = new Map(head.map((c) => [c.id, c]));
  const atBase = new Map(base.map((c) => [c.id, c]));
  const out: Omit<CaseComparison, 'test' | 'counts' | 'pValue' | 'regression'> = { worse: [], better: [], changed: [], broken: [], errors: [], onlyBase: [], onlyHead: [] };
  const pairs: [CaseResult, CaseResult][] = [];
  for (const b of base) {
    const h = atHead.get(b.id);
    if (!h) out.onlyBase.push(b.id);
    else if (b.status === 'error' || h.status === 'error') out.errors.push(b.id);
    else pairs.push([b, h]);
  }
  for (const h of head) if (!atBase.has(h.id)) out.onlyHead.push(h.id);

  for (const [b, h] of pairs) {
    if (b.status === 'pass' && h.status !== 'pass') {
      out.worse.push(b.id);
      if (h.samples.length > 0 && h.samples.every((s) => !s.pass)) out.broken.push(b.id);
    } else if (b.status !== 'pass' && h.status === 'pass') out.better.push(b.id);
    else if (b.status === 'pass' && outputsDiffer(b, h)) out.changed.push(b.id);
  }

  const single = pairs.every(([b, h]) => b.samples.length === 1 && h.samples.length === 1);
  if (single) {
    const pValue = mcnemarExact(out.worse.length, out.better.length);
    return { ...out, test: 'mcnemar', counts: { worse: out.worse.length, better: out.better.length }, pValue, regression: out.broken.length > 0 || pValue < alpha };
  }
  const counts = { base: { pass: 0, fail: 0 }, head: { pass: 0, fail: 0 } };
  for (const [b, h] of pairs) {
    for (const s of b.samples) counts.base[s.pass ? 'pass' : 'fail']++;
    for (const s of h.samples) counts.head[s.pass ? 'pass' : 'fail']++;
  }
  const pValue = fisherExact(counts);
  return { ...out, test: 'fisher', counts, pValue, regression: out.broken.length > 0 || pValue < alpha };
}

/** Sample by sample: the same sample index is the same request, so it is what the cache answers alike. */
export function outputsDiffer(b: CaseResult, h: CaseResult): boolean {
  if (b.samples.length !== h.samples.length) return true;
  return b.samples.some((s, i) => s.output !== h.samples[i].output);
}
