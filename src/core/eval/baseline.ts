// `aigov eval --baseline REF`: the base run and the head run of the same suites,
// put side by side suite by suite. What gates is in `compareCases` (the per-case
// rule and the exact test) and `exitCodeOf` (with the head's own gate). Pure.
import { compareCases, outputsDiffer, SIGNIFICANCE } from './compare.js';
import type { BaselineComparison, BaselineSide, EvalReport, PairedCase, SuiteComparison, SuiteResult } from './report.js';

export interface BaselineRuns {
  ref: string;
  commit: string;
  base: EvalReport;
  head: EvalReport;
  /** Suites run at head only: the ref does not have them. */
  added: readonly string[];
  /** Suites the ref has and the head does not. */
  removed: readonly string[];
  alpha?: number;
}

export function compareRuns(runs: BaselineRuns): BaselineComparison {
  const alpha = runs.alpha ?? SIGNIFICANCE;
  const atBase = new Map(runs.base.suites.map((s) => [s.suite, s]));
  const suites: SuiteComparison[] = [];
  for (const head of runs.head.suites) {
    const base = atBase.get(head.suite);
    if (base) suites.push(compareSuite(base, head, alpha));
  }
  return { ref: runs.ref, commit: runs.commit, significance: alpha, suites, added: [...runs.added], removed: [...runs.removed], base: runs.base };
}

function compareSuite(base: SuiteResult, head: SuiteResult, alpha: number): SuiteComparison {
  const cmp = compareCases(base.cases, head.cases, alpha);
  const atHead = new Map(head.cases.map((c) => [c.id, c]));
  const cases: PairedCase[] = [];
  for (const b of base.cases) {
    const h = atHead.get(b.id);
    if (h) cases.push({ id: b.id, base: b.status, head: h.status, outputChanged: outputsDiffer(b, h) });
  }
  return { suite: head.suite, base: side(base), head: side(head), ...cmp, cases };
}

function side(s: SuiteResult): BaselineSide {
  const samples = s.cases.flatMap((c) => c.samples);
  return {
    prompt: { id: s.prompt.id, version: s.prompt.version, sha256: s.prompt.sha256 },
    model: s.model.resolved,
    repeat: Math.max(0, ...s.cases.map((c) => c.samples.length)),
    requiredPassRate: s.requiredPassRate,
    cases: s.totals.cases,
    passed: s.totals.passed,
    samples: { passed: samples.filter((x) => x.pass).length, total: samples.length },
  };
}
