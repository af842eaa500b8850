import { describe, expect, it } from 'vitest';
import { compareCases } from './compare.js';
import type { CaseResult, CaseStatus } from './report.js';

/** A case from its samples: "p" passes, "f" fails, "e" a provider error; outputs default to the letter. */
function c(id: string, samples: string, outputs?: string[], status?: CaseStatus): CaseResult {
  const list = [...samples].map((s, i) => ({
    sample: i,
    output: s === 'e' ? undefined : (outputs?.[i] ?? s),
    ...(s === 'e' ? { error: { kind: 'server', message: '500' } } : {}),
    pass: s === 'p',
    assertions: [],
    tokens: { input: 0, output: 0 },
    costUsd: 0,
    latencyMs: 1,
  }));
  const passed = list.filter((s) => s.pass).length;
  return { id, status: status ?? (list.some((s) => s.error) ? 'error' : passed === list.length ? 'pass' : 'fail'), samples: list };
}

describe('compareCases', () => {
  it.each([
    {
      name: 'nothing changed: p = 1, no regression',
      base: [c('a', 'p'), c('b', 'p'), c('x', 'f')],
      head: [c('a', 'p'), c('b', 'p'), c('x', 'f')],
      want: { worse: [], better: [], changed: [], broken: [], test: 'mcnemar', pValue: 1, regression: false },
    },
    {
      name: 'two cases that passed now fail: named, broken, and the gate fails',
      base: [c('a', 'p'), c('b', 'p'), c('c', 'p')],
      head: [c('a', 'f'), c('b', 'f'), c('c', 'p')],
      want: { worse: ['a', 'b'], better: [], broken: ['a', 'b'], test: 'mcnemar', counts: { worse: 2, better: 0 }, pValue: 0.25, regression: true },
    },
    {
      name: 'wording changed, every case still passes: the changed outputs are listed, the gate holds',
      base: [c('a', 'p', ['utilities']), c('b', 'p', ['travel']), c('c', 'p', ['other'])],
      head: [c('a', 'p', ['Utilities.']), c('b', 'p', ['travel']), c('c', 'p', ['Other'])],
      want: { worse: [], better: [], changed: ['a', 'c'], broken: [], pValue: 1, regression: false },
    },
    {
      name: 'a case got better: the test leans the other way',
      base: [c('a', 'f'), c('b', 'p')],
      head: [c('a', 'p'), c('b', 'p')],
      want: { worse: [], better: ['a'], test: 'mcnemar', pValue: 1, regression: false },
    },
    {
      name: 'one worse, one better: no deterministic drop at McNemar p = 3/4, but the broken case fails the gate',
      base: [c('a', 'p'), c('b', 'f')],
      head: [c('a', 'f'), c('b', 'p')],
      want: { worse: ['a'], better: ['b'], broken: ['a'], pValue: 0.75, regression: true },
    },
    {
      name: 'repeats: a flaky drop on every case is Fisher-significant although no case fails every sample',
      base: [c('a', 'ppppp'), c('b', 'ppppp'), c('c', 'ppppp')],
      head: [c('a', 'ppfff', undefined, 'fail'), c('b', 'pffff', undefined, 'fail'), c('c', 'ppfff', undefined, 'fail')],
      // base 15 of 15, head 5 of 15: C(15,15)C(15,5) / C(30,20)
      want: { worse: ['a', 'b', 'c'], broken: [], test: 'fisher', counts: { base: { pass: 15, fail: 0 }, head: { pass: 5, fail: 10 } }, pValue: 3003 / 30045015, regression: true },
    },
    {
      name: 'repeats: a small wobble is not significant, and no case passed at base then failed every sample',
      base: [c('a', 'ppppp'), c('b', 'ppppp')],
      head: [c('a', 'ppppf', undefined, 'pass'), c('b', 'ppppp')],
      // base 10 of 10, head 9 of 10: C(10,10)C(10,9) / C(20,19) = 1/2
      want: { worse: [], test: 'fisher', pValue: 0.5, regression: false },
    },
    {
      name: 'repeats: passing at base and failing every sample at head is a regression whatever p says',
      base: [c('a', 'ppp'), c('b', 'fff'), c('c', 'ppp')],
      head: [c('a', 'fff'), c('b', 'ppp'), c('c', 'ppp')],
      want: { worse: ['a'], better: ['b'], broken: ['a'], test: 'fisher', regression: true },
    },
    {
      name: 'errors are no evidence; added and removed cases are not paired',
      base: [c('a', 'p'), c('b', 'p'), c('gone', 'p')],
      head: [c('a', 'e'), c('b', 'p'), c('new', 'f')],
      want: { worse: [], errors: ['a'], onlyBase: ['gone'], onlyHead: ['new'], pValue: 1, regression: false },
    },
    {
      name: 'outputs compared sample by sample',
      base: [c('a', 'pp', ['x', 'y'])],
      head: [c('a', 'pp', ['y', 'x'])],
      want: { changed: ['a'], test: 'fisher', regression: false },
    },
  ])('$name', ({ base, head, want }) => {
    const got = compareCases(base, head);
    const { pValue, ...rest } = want;
    expect(got).toMatchObject(rest);
    // Relative, so a p of 1e-4 is checked to twelve digits too.
    if (typeof pValue === 'number') expect(Math.abs(got.pValue - pValue) / pValue).toBeLessThan(1e-12);
  });

  it('five discordant pairs all one way reach p = 0.03125', () => {
    const ids = ['a', 'b', 'c', 'd', 'e'];
    const got = compareCases(
      ids.map((id) => c(id, 'p')),
      ids.map((id) => c(id, 'f')),
    );
    expect(got.pValue).toBe(0.03125);
    expect(got.regression).toBe(true);
  });
});
