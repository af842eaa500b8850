// Each flag in words, and how it is decided: the report's legend, the
// dashboard's flag column and the README say the same thing.
import type { FlagCode } from '../../core/report/flags.js';

export const FLAG_WORDS: Readonly<Record<FlagCode, { words: string; rule: string }>> = {
  confidence_falling: {
    words: 'confidence falling',
    rule: "this month's confidences are lower than last month's: a one-sided Mann-Whitney U test on the two months' confidence distributions at p < 0.05, with at least 20 finished runs in each",
  },
  override_rising: {
    words: 'override rate rising',
    rule: '(overrides + rejections + reverted actions) / finished runs is higher than last month: a one-sided Fisher exact test at p < 0.05, with at least 20 finished runs in each month',
  },
  error_rising: {
    words: 'error rate rising',
    rule: 'failed / started runs is higher than last month: a one-sided Fisher exact test at p < 0.05, with at least 20 started runs in each month',
  },
  review_missed: {
    words: 'review missed',
    rule: 'no review was signed off (`review_completed`) for the cadence period before this month (the month before; any of the three before for a quarterly cadence), though runs started in it',
  },
  model_mismatch: { words: 'model mismatch', rule: 'a run this month was answered by another model than the lock says is served' },
  eval_failing: { words: 'eval failing', rule: "a suite's eval at the current prompt and locked model (else its newest) did not pass" },
  promotion_gate_failing: {
    words: 'promotion gate failing',
    rule: 'above tier 1, a promotion gate to its tier fails today over the runs since its last tier change (not the runs gate; rate gates with at least 20 runs): a demotion is suggested',
  },
};
