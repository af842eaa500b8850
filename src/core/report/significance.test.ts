import { describe, expect, it } from 'vitest';
import { fisherGreater, rankTestLower } from './significance.js';

describe("Fisher's exact test, one-sided (this month's rate higher)", () => {
  // Expected values: scipy.stats.fisher_exact([[x2, n2 - x2], [x1, n1 - x1]], alternative='greater').
  it.each<[string, number, number, number, number, number]>([
    ['the lady tasting tea: 3 of 4 against 1 of 4', 3, 4, 1, 4, 0.24285714285714283],
    ['noise: 3 of 20 against 1 of 20', 3, 20, 1, 20, 0.30249480249480254],
    ['a real rise: 12 of 100 against 1 of 100', 12, 100, 1, 100, 0.0012697487279323503],
    ['a rise at scale: 45 of 10,000 against 20 of 10,000', 45, 10_000, 20, 10_000, 0.0012925474314416233],
    ['a fall is never significant: 0 of 20 against 5 of 20', 0, 20, 5, 20, 1],
  ])('%s', (_name, x2, n2, x1, n1, want) => {
    expect(fisherGreater(x2, n2, x1, n1)).toBeCloseTo(want, 12);
  });

  it('1 of 3 against 0 of 3 is no evidence', () => {
    expect(fisherGreater(1, 3, 0, 3)).toBeCloseTo(0.5, 12); // C(3,1)C(3,0)/C(6,1) = 3/6
  });

  it('every event this month, none last month, at 20 runs each', () => {
    // P = C(20,20) C(20,0) / C(40,20)
    expect(fisherGreater(20, 20, 0, 20)).toBeCloseTo(1 / 137846528820, 20);
  });
});

describe('the Mann-Whitney U test on confidence histograms, one-sided (this month lower)', () => {
  /** A histogram over the hundredths from a list of confidences. */
  const hist = (xs: number[]) => {
    const h = Array<number>(100).fill(0);
    for (const x of xs) h[Math.min(99, Math.round(x * 100))]++;
    return h;
  };
  // Expected values: scipy.stats.mannwhitneyu(current, previous, alternative='less', method='asymptotic', use_continuity=True).
  it.each<[string, number[], number[], number, number]>([
    ['a small sample that fell', [0.5, 0.8, 0.6, 0.7, 0.9, 0.4, 0.65], [0.9, 0.8, 0.95, 0.7, 0.85, 0.9, 0.6, 0.99], 10.5, 0.02386411328793353],
    [
      'five runs of 40 fell to 0.5: not enough',
      [...Array(25).fill(0.9), ...Array(10).fill(0.8), ...Array(5).fill(0.5)],
      [...Array(30).fill(0.9), ...Array(10).fill(0.8)],
      675,
      0.07004710731991155,
    ],
    ['the same distribution', [...Array(30).fill(0.9), ...Array(10).fill(0.8)], [...Array(30).fill(0.9), ...Array(10).fill(0.8)], 800, 0.5025589984267561],
  ])('%s', (_name, current, previous, u, p) => {
    const t = rankTestLower(hist(current), hist(previous))!;
    expect(t.u).toBe(u);
    expect(t.superiority).toBeCloseTo(u / (current.length * previous.length), 12);
    expect(t.pValue).toBeCloseTo(p, 10);
  });

  it('has nothing to say without runs in both months', () => {
    expect(rankTestLower(hist([]), hist([0.5]))).toBeNull();
  });
});
