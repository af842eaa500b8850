import { describe, expect, it } from 'vitest';
import type { EvalRecord } from '../stats/evals.js';
import { percentBin } from '../stats/percent.js';
import { newWindow, windowStats, type Counts, type WindowStats } from '../stats/window-stats.js';
import type { Gate } from '../tiers/gates.js';
import { flags, type Flag, type FlagInput } from './flags.js';

/** A month's figures: counts, and finished runs' confidences as [confidence, runs]. */
function month(c: Partial<Counts> = {}, confidences: [number, number][] = []): WindowStats {
  const w = newWindow('m');
  Object.assign(w, c);
  for (const [x, n] of confidences) w.percent[percentBin(x)] += n;
  return windowStats(w);
}

function input(over: Partial<FlagInput> = {}): FlagInput {
  return { automation: 'inv', tier: 1, current: month(), previous: month(), reviewMissed: null, evals: [], gates: null, ...over };
}

const codes = (fs: Flag[]) => fs.map((f) => f.code);
const one = (fs: Flag[], code: string) => fs.find((f) => f.code === code);

describe('error_rising and override_rising: significant, and on enough runs', () => {
  // p-values: scipy.stats.fisher_exact([[x2, n2 - x2], [x1, n1 - x1]], alternative='greater')
  it.each<[string, [number, number], [number, number], number | null]>([
    ['noise: 1 of 3 against 0 of 3 (too few runs)', [1, 3], [0, 3], null],
    ['noise: 3 of 20 against 1 of 20 (p = 0.30)', [3, 20], [1, 20], null],
    ['a rise at the minimum count: 8 of 20 against 1 of 20', [8, 20], [1, 20], 0.009828009828009828],
    ['one run short of the minimum, however strong: 8 of 19 against 0 of 19', [8, 19], [0, 19], null],
    ['a real rise: 12 of 100 against 1 of 100', [12, 100], [1, 100], 0.0012697487279323503],
    ['10 of 100 against 2 of 100', [10, 100], [2, 100], 0.016520054662092484],
    ['a fall', [1, 100], [12, 100], null],
    ['unchanged', [5, 100], [5, 100], null],
  ])('%s', (_name, [x2, n2], [x1, n1], p) => {
    const errors = flags(input({ current: month({ started: n2, failed: x2, finished: n2 - x2 }), previous: month({ started: n1, failed: x1, finished: n1 - x1 }) }));
    const overrides = flags(input({ current: month({ started: n2, finished: n2, corrected: x2 }), previous: month({ started: n1, finished: n1, corrected: x1 }) }));
    for (const [fs, code] of [[errors, 'error_rising'], [overrides, 'override_rising']] as const) {
      const f = one(fs, code);
      if (p === null) expect(f).toBeUndefined();
      else {
        expect(f!.pValue).toBeCloseTo(p, 12);
        expect(f!.detail).toMatch(/one-sided Fisher's exact test p = /);
      }
    }
  });

  it('says the two rates and their counts', () => {
    const f = one(flags(input({ current: month({ started: 100, failed: 12, finished: 88 }), previous: month({ started: 100, failed: 1, finished: 99 }) })), 'error_rising')!;
    expect(f.detail).toBe("error rate 1% → 12% (1 of 100 started → 12 of 100); one-sided Fisher's exact test p = 0.0013");
  });
});

describe('confidence_falling: the two distributions compared', () => {
  // p-values: scipy.stats.mannwhitneyu(current, previous, alternative='less', method='asymptotic')
  const last: [number, number][] = [[0.9, 30], [0.8, 10]];
  it.each<[string, [number, number][], [number, number][], number | null]>([
    ['the same distribution', [[0.9, 30], [0.8, 10]], last, null],
    ['five of 40 fell to 0.5 (p = 0.07)', [[0.9, 25], [0.8, 10], [0.5, 5]], last, null],
    ['half fell to 0.6', [[0.9, 10], [0.8, 10], [0.6, 20]], last, 8.376062916258538e-8],
    ['a fall on too few runs', [[0.1, 19]], last, null],
    ['a rise', [[0.99, 40]], last, null],
  ])('%s', (_name, cur, prev, p) => {
    const f = one(flags(input({ threshold: 0.85, current: month({}, cur), previous: month({}, prev) })), 'confidence_falling');
    if (p === null) expect(f).toBeUndefined();
    else expect(f!.pValue).toBeCloseTo(p, 12);
  });

  it('says the medians and the share under the threshold', () => {
    const f = one(flags(input({ threshold: 0.85, current: month({}, [[0.9, 10], [0.8, 10], [0.6, 20]]), previous: month({}, last) })), 'confidence_falling')!;
    expect(f.detail).toMatch(/^median confidence 0\.90 → 0\.60, under the threshold 0\.85: 25% → 75%; .*probability 0\.19 .*Mann-Whitney U test p = 8\.4e-8$/);
  });

  it('a median that holds while the low tail grows is caught', () => {
    // the medians are both 0.9; 12 of 60 runs now sit at 0.3
    const f = one(flags(input({ current: month({}, [[0.9, 48], [0.3, 12]]), previous: month({}, [[0.9, 58], [0.3, 2]]) })), 'confidence_falling');
    expect(f?.detail).toMatch(/^median confidence 0\.90 → 0\.90;/);
  });
});

describe('the other flags', () => {
  const record = (passed: boolean): EvalRecord => ({ suite: 's', at: '2026-11-20T10:00:00.000Z', passed, passRate: passed ? 1 : 0.75, cases: 4, prompt: { id: 'p', version: 1, sha256: 'h' }, model: 'm', served: null, mode: 'replay', unlocked: false });
  const gate = (name: Gate['name'], pass: boolean, actual: Gate['actual'] = null, required: Gate['required'] = 0.02): Gate => ({ name, pass, actual, required });

  it.each<[string, Partial<FlagInput>, string[]]>([
    ['nothing to say', {}, []],
    ['review_missed', { reviewMissed: { period: ['2026-10'] } }, ['review_missed']],
    ['model_mismatch', { current: month({ finished: 10, modelMismatches: 2 }) }, ['model_mismatch']],
    ['a mismatch last month only is not this month’s', { previous: month({ finished: 10, modelMismatches: 2 }) }, []],
    ['eval_failing', { evals: [{ suite: 's', record: record(false) }, { suite: 't', record: record(true) }] }, ['eval_failing']],
    ['a suite never run is not failing', { evals: [{ suite: 's', record: null }] }, []],
    ['gates at tier 1 are never checked', { tier: 1, gates: { list: [gate('errorRate', false, 0.1)], started: 500 } }, []],
    ['a failing gate at tier 2', { tier: 2, gates: { list: [gate('errorRate', false, 0.1), gate('lock', true, 'current', 'current')], started: 500 } }, ['promotion_gate_failing']],
    ['the runs gate alone is no reason to demote', { tier: 3, gates: { list: [gate('runs', false, 10, 100)], started: 10 } }, []],
    ['a rate gate over fewer than 20 runs is noise', { tier: 2, gates: { list: [gate('errorRate', false, 0.5)], started: 4 } }, []],
    ['a lock gate fails whatever the runs', { tier: 2, gates: { list: [gate('lock', false, 'prompt "p" changed', 'current')], started: 4 } }, ['promotion_gate_failing']],
  ])('%s', (_name, over, want) => {
    expect(codes(flags(input(over)))).toEqual(want);
  });

  it('promotion_gate_failing names the gates and suggests the demotion', () => {
    const f = one(flags(input({ tier: 3, gates: { list: [gate('errorRate', false, 0.031), gate('overrideRate', true, 0.01, 0.05), gate('reviewBacklog', false, 40, 31)], started: 500 } })), 'promotion_gate_failing')!;
    expect(f.gates).toEqual(['errorRate', 'reviewBacklog']);
    expect(f.detail).toBe('errorRate 3.1% (at most 2%); reviewBacklog: a run has waited 40 days (at most 31): a promotion to tier 3 would fail today; consider demoting to tier 2');
    expect(f.suggestion).toBe('aigov demote inv --to 2 --reason "monthly review: errorRate, reviewBacklog failing"');
  });

  it('lists flags in the order of the codes', () => {
    const all = flags(
      input({
        tier: 2,
        threshold: 0.85,
        current: month({ started: 100, finished: 88, failed: 12, corrected: 30, modelMismatches: 1 }, [[0.6, 88]]),
        previous: month({ started: 100, finished: 99, failed: 1, corrected: 1 }, [[0.9, 99]]),
        reviewMissed: { period: ['2026-10'] },
        evals: [{ suite: 's', record: record(false) }],
        gates: { list: [gate('errorRate', false, 0.12)], started: 200 },
      }),
    );
    expect(codes(all)).toEqual(['confidence_falling', 'override_rising', 'error_rising', 'review_missed', 'model_mismatch', 'eval_failing', 'promotion_gate_failing']);
  });
});
