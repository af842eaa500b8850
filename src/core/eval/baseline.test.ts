import { describe, expect, it } from 'vitest';
import { compareRuns } from './baseline.js';
import { mcnemarExact } from '../stats/paired.js';
import { exitCodeOf, REPORT_VERSION, suiteTotals, type CaseResult, type EvalReport, type SampleResult, type SuiteResult } from './report.js';

/** A case from its samples: "p" passes, "f" fails, "e" a provider error. */
function c(id: string, samples: string, output = 'x', passRate = 1): CaseResult {
  const list: SampleResult[] = [...samples].map((s, i) => ({
    sample: i,
    ...(s === 'e' ? { error: { kind: 'server', message: '500' } } : { output }),
    pass: s === 'p',
    assertions: [],
    tokens: { input: 1, output: 1 },
    costUsd: 0,
    latencyMs: 1,
  }));
  const passed = list.filter((x) => x.pass).length;
  return { id, status: list.some((x) => x.error) ? 'error' : passed / list.length >= passRate ? 'pass' : 'fail', samples: list };
}

function suite(name: string, cases: CaseResult[], version = 1): SuiteResult {
  return {
    suite: name,
    file: `evals/${name}.yaml`,
    prompt: { id: name, version, sha256: String(version).repeat(64) },
    model: { name: 'fast', requested: 'openai:gpt-4o-mini', resolved: 'openai:gpt-4o-mini-2024-07-18', locked: true },
    requiredPassRate: 1,
    outputType: 'text',
    cases,
    totals: suiteTotals(cases, 1),
  } as SuiteResult;
}

function report(suites: SuiteResult[], over: Partial<EvalReport> = {}): EvalReport {
  return { version: REPORT_VERSION, startedAt: '2026-01-01T00:00:00.000Z', durationMs: 1, mode: 'live', unlocked: false, interrupted: false, warnings: [], suites, totals: suiteTotals(suites.flatMap((s) => s.cases), 1), ...over };
}

function compared(base: EvalReport, head: EvalReport, more: { added?: string[]; removed?: string[] } = {}): EvalReport {
  return { ...head, baseline: compareRuns({ ref: 'main', commit: 'c'.repeat(40), base, head, added: more.added ?? [], removed: more.removed ?? [] }) };
}

describe('compareRuns', () => {
  it('pairs suites by name and cases by id, with both sides and every paired case', () => {
    const base = report([suite('inv', [c('a', 'p', 'utilities'), c('b', 'p'), c('gone', 'p')]), suite('old', [c('z', 'p')])]);
    const head = report([suite('inv', [c('a', 'f', 'other'), c('b', 'p'), c('new', 'p')], 2), suite('fresh', [c('y', 'p')])]);
    const b = compared(base, head, { added: ['fresh'], removed: ['old'] }).baseline!;
    expect(b.suites.map((s) => s.suite)).toEqual(['inv']);
    const inv = b.suites[0];
    expect(inv).toMatchObject({ worse: ['a'], broken: ['a'], onlyBase: ['gone'], onlyHead: ['new'], test: 'mcnemar', pValue: 0.5, regression: true });
    expect(inv.cases).toEqual([
      { id: 'a', base: 'pass', head: 'fail', outputChanged: true },
      { id: 'b', base: 'pass', head: 'pass', outputChanged: false },
    ]);
    expect(inv.base).toEqual({ prompt: { id: 'inv', version: 1, sha256: '1'.repeat(64) }, model: 'openai:gpt-4o-mini-2024-07-18', repeat: 1, requiredPassRate: 1, cases: 3, passed: 3, samples: { passed: 3, total: 3 } });
    expect(inv.head).toMatchObject({ prompt: { version: 2 }, cases: 3, passed: 2 });
    expect(b).toMatchObject({ ref: 'main', significance: 0.05, added: ['fresh'], removed: ['old'] });
  });

  it.each([5, 8, 20])('the p-value is McNemar\'s on the discordant pairs: %i cases broken, one fixed', (n) => {
    const ids = Array.from({ length: n }, (_, i) => `c${i}`);
    const base = report([suite('inv', [...ids.map((id) => c(id, 'p')), c('fixed', 'f')])]);
    const head = report([suite('inv', [...ids.map((id) => c(id, 'f')), c('fixed', 'p')])]);
    const s = compared(base, head).baseline!.suites[0];
    expect(s.counts).toEqual({ worse: n, better: 1 });
    expect(s.pValue).toBe(mcnemarExact(n, 1));
    // P(X <= 1), X ~ Binomial(n + 1, 1/2)
    expect(Math.abs(s.pValue - (n + 2) / 2 ** (n + 1)) / s.pValue).toBeLessThan(1e-12);
  });
});

describe('exitCodeOf with --baseline', () => {
  const ok = report([suite('inv', [c('a', 'p'), c('b', 'p')])]);
  it.each<[string, EvalReport, number]>([
    ['nothing moved', compared(ok, ok), 0],
    ['only outputs changed', compared(ok, report([suite('inv', [c('a', 'p', 'y'), c('b', 'p', 'y')])])), 0],
    ['a case passed at base and fails at head', compared(ok, report([suite('inv', [c('a', 'f'), c('b', 'p')])])), 1],
    ['failing at base alone does not fail the gate', compared(report([suite('inv', [c('a', 'f'), c('b', 'p')])]), ok), 0],
    ['a case failing both ways fails as a plain eval does', compared(report([suite('inv', [c('a', 'f'), c('b', 'p')])]), report([suite('inv', [c('a', 'f'), c('b', 'p')])])), 1],
    [
      'a significant drop over samples with every case within its pass rate',
      compared(report([suite('inv', [c('a', 'ppppp', 'x', 0.2), c('b', 'ppppp', 'x', 0.2), c('c', 'ppppp', 'x', 0.2)])]), report([suite('inv', [c('a', 'pffff', 'x', 0.2), c('b', 'pffff', 'x', 0.2), c('c', 'pffff', 'x', 0.2)])])),
      1,
    ],
    ['a provider error at base: nothing to compare with', compared(report([suite('inv', [c('a', 'e'), c('b', 'p')])]), ok), 3],
    ['a provider error at head', compared(ok, report([suite('inv', [c('a', 'e'), c('b', 'p')])])), 3],
    ['an interrupted base', compared(report([], { interrupted: true }), report([], { interrupted: true })), 130],
    ['an interrupted base with a head that ran nothing', compared(report([], { interrupted: true }), report([])), 130],
  ])('%s: exit %i', (_name, r, code) => {
    expect(exitCodeOf(r)).toBe(code);
  });

  it('a report without a baseline keeps the plain rule', () => {
    expect(exitCodeOf(report([suite('inv', [c('a', 'f')])]))).toBe(1);
    expect(exitCodeOf(ok)).toBe(0);
  });
});
