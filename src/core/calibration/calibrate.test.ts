import { describe, expect, it } from 'vitest';
import { addGrade, emptyGraded, type Graded } from '../stats/graded.js';
import { emptyPercent, percentBin } from '../stats/percent.js';
import { newWindow, windowStats, type WindowStats } from '../stats/window-stats.js';
import { calibrate } from './calibrate.js';
import { reliability } from './reliability.js';
import { searchThreshold } from './threshold.js';

/** Graded runs from groups of [confidence, runs, wrong]. */
function graded(groups: [number, number, number][], source: 'review' | 'approval' | 'audit' = 'approval'): Graded {
  const g = emptyGraded();
  for (const [c, n, wrong] of groups) for (let i = 0; i < n; i++) addGrade(g, c, i >= wrong, source);
  return g;
}

/** Window figures whose finished runs are the graded ones plus `extra` ungraded ones, all at tier 1 unless `auto`. */
function stats(g: Graded, opts: { extra?: [number, number][]; auto?: number } = {}): WindowStats {
  const w = newWindow('all');
  w.graded = g;
  w.percent = emptyPercent();
  g.n.forEach((n, k) => (w.percent[k] += n));
  for (const [c, n] of opts.extra ?? []) w.percent[percentBin(c)] += n;
  w.finished = w.percent.reduce((s, x) => s + x, 0);
  w.approvalRequired = w.finished - (opts.auto ?? 0);
  return windowStats(w);
}

// The synthetic set, 50 graded runs:
//   20 at 0.95, all correct       bin [0.9, 1.0]: accuracy 1.0, gap |1.0 - 0.95| = 0.05
//   10 at 0.85, 1 wrong           bin [0.8, 0.9): accuracy 0.9, gap |0.9 - 0.85| = 0.05
//   10 at 0.75, 5 wrong           bin [0.7, 0.8): accuracy 0.5, gap |0.5 - 0.75| = 0.25
//   10 at 0.45, 6 wrong           bin [0.4, 0.5): accuracy 0.4, gap |0.4 - 0.45| = 0.05
// ECE = (20·0.05 + 10·0.05 + 10·0.25 + 10·0.05) / 50 = 4.5 / 50 = 0.09
// Brier = Σ(c − y)² / 50:
//   0.95: 20 × 0.05²                     = 0.05
//   0.85:  9 × 0.15² + 1 × 0.85²          = 0.2025 + 0.7225 = 0.925
//   0.75:  5 × 0.25² + 5 × 0.75²          = 0.3125 + 2.8125 = 3.125
//   0.45:  4 × 0.55² + 6 × 0.45²          = 1.21 + 1.215    = 2.425
//   total 6.525 / 50 = 0.1305
// Threshold at target precision 0.8 (the bound must be ≤ 0.2); the candidates are
// the confidences that graded runs have (a lower threshold would pass ungraded ones):
//   t = 0.95: 20 runs, 0 wrong, bound 1 − 0.05^(1/20) = 0.1391   passes
//   t = 0.85: 30 runs, 1 wrong, bound 0.1486                     passes
//   t = 0.75: 40 runs, 6 wrong, bound 0.2747                     fails
//   t = 0.45: 50 runs, 12 wrong, bound 0.3597                    fails
// so the lowest threshold is 0.85, letting 30 of the 50 runs pass: coverage 0.6.
const SYNTHETIC: [number, number, number][] = [
  [0.95, 20, 0],
  [0.85, 10, 1],
  [0.75, 10, 5],
  [0.45, 10, 6],
];

describe('calibration of the synthetic set, computed by hand', () => {
  const g = graded(SYNTHETIC);

  it('reliability table: 10 equal-width bins with count, mean confidence and accuracy', () => {
    const r = reliability(g);
    const filled = r.bins.filter((b) => b.count).map((b) => [b.from, b.count, b.meanConfidence, b.accuracy]);
    expect(filled.map(([from, count]) => [from, count])).toEqual([
      [0.4, 10],
      [0.7, 10],
      [0.8, 10],
      [0.9, 20],
    ]);
    filled.forEach(([, , mean], i) => expect(mean).toBeCloseTo([0.45, 0.75, 0.85, 0.95][i], 12));
    expect(filled.map(([, , , acc]) => acc)).toEqual([0.4, 0.5, 0.9, 1]);
    expect(r.bins).toHaveLength(10);
    expect(r.bins[0]).toEqual({ from: 0, to: 0.1, count: 0, meanConfidence: null, accuracy: null });
  });

  it('ECE 0.09 and Brier 0.1305', () => {
    const r = reliability(g);
    expect(r.ece).toBeCloseTo(0.09, 12);
    expect(r.brier).toBeCloseTo(0.1305, 12);
  });

  it('the lowest threshold meeting precision 0.8 is 0.85, with 30 runs passing and 1 error', () => {
    const { chosen } = searchThreshold(g, 0.8);
    expect(chosen).toMatchObject({ threshold: 0.85, runs: 30, errors: 1 });
    expect(chosen!.upperBound).toBeCloseTo(0.14859606865911312, 10);
    const c = calibrate({ automation: 'inv', stats: stats(g), targetPrecision: 0.8 });
    expect(c).toMatchObject({ graded: 50, correct: 38, wrong: 12, threshold: 0.85, sample: 'complete', closest: null, needed: null });
    expect(c.coverage).toBeCloseTo(0.6, 12);
  });

  it('coverage counts every finished run, graded or not', () => {
    // 50 more ungraded runs at 0.99 and 50 at 0.1: (30 + 50) of 150 pass at 0.85
    const c = calibrate({ automation: 'inv', stats: stats(g, { extra: [[0.99, 50], [0.1, 50]] }), targetPrecision: 0.8 });
    expect(c.coverage).toBeCloseTo(80 / 150, 12);
  });

  it('at precision 0.95, 50 graded runs are too few: 59 without an error are needed', () => {
    const c = calibrate({ automation: 'inv', stats: stats(g) });
    expect(c.threshold).toBeNull();
    expect(c.coverage).toBeNull();
    expect(c.needed).toEqual({ kind: 'more_runs', runs: 50, withoutError: 59 });
  });
});

describe('the threshold search', () => {
  it.each<[string, [number, number, number][], number, unknown]>([
    // 100 at 0.97 without error: bound 0.0295; with 100 at 0.9 and 2 errors: 2 of 200, bound 0.0311; adding 0.6 with 30 of 100 fails
    ['precision 0.95 on 300 runs', [[0.97, 100, 0], [0.9, 100, 2], [0.6, 100, 30]], 0.95, { chosen: { threshold: 0.9, runs: 200, errors: 2 } }],
    // 59 runs without an error are just enough for 0.95; nothing under 0.99 was graded, so nothing under it is let pass
    ['59 runs, no error', [[0.99, 59, 0]], 0.95, { chosen: { threshold: 0.99, runs: 59, errors: 0 } }],
    ['58 runs, no error', [[0.99, 58, 0]], 0.95, { chosen: null, needed: { kind: 'more_runs', runs: 58, withoutError: 59 } }],
    // enough runs, but 1 error in 60 at the top: the bound is 0.077; at 1/60 the rate allows it with more runs
    ['enough runs with an error', [[0.99, 60, 1]], 0.95, { chosen: null, needed: { kind: 'more_runs_at_rate', threshold: 0.99, errorRate: 1 / 60 } }],
    ['an error rate no amount of grading fixes', [[0.99, 100, 10], [0.5, 100, 50]], 0.95, { chosen: null, needed: { kind: 'error_rate_too_high', errorRate: 0.1 } }],
  ])('%s', (_name, groups, target, want) => {
    expect(searchThreshold(graded(groups), target)).toMatchObject(want as object);
  });

  it('a threshold is the lowest that passes, even where a higher one fails', () => {
    // top 14 at 0.99 with 1 error (bound 0.297, fails 0.8); adding 40 correct at 0.5 makes 1 of 54 (bound 0.085, passes)
    expect(searchThreshold(graded([[0.99, 14, 1], [0.5, 40, 0]]), 0.8).chosen).toMatchObject({ threshold: 0.5, runs: 54, errors: 1 });
  });
});

describe('which runs are graded', () => {
  it('says when the grades are only of runs sent to review, with runs passing unseen', () => {
    const low = graded([[0.3, 80, 20]], 'review');
    expect(calibrate({ automation: 'inv', stats: stats(low, { extra: [[0.95, 500]], auto: 500 }) }).sample).toBe('unaudited');
    const audited = graded([[0.3, 80, 20]], 'review');
    addGrade(audited, 0.95, true, 'audit');
    expect(calibrate({ automation: 'inv', stats: stats(audited, { extra: [[0.95, 499]], auto: 500 }) }).sample).toBe('audited');
    expect(calibrate({ automation: 'inv', stats: stats(graded([[0.9, 10, 0]])) }).sample).toBe('complete');
  });

  it('counts graded runs without a confidence apart, and the current threshold’s coverage', () => {
    const g = graded([[0.9, 10, 0]]);
    addGrade(g, null, true, 'approval');
    const c = calibrate({ automation: 'inv', stats: stats(g, { extra: [[0.5, 10]] }), currentThreshold: 0.85 });
    expect(c).toMatchObject({ graded: 10, gradedWithoutConfidence: 1, current: { threshold: 0.85, coverage: 0.5 }, medianConfidence: 0.5 });
  });
});
