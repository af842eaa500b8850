// The tier policy's numbers and words, in one place: the promotion gates, the
// governance pages and the CLI read them from here.

export type Tier = 1 | 2 | 3;

export const TIER_NAME: Readonly<Record<Tier, string>> = { 1: 'inform only', 2: 'act and notify', 3: 'autonomous' };

export const TIER_MEANING: Readonly<Record<Tier, string>> = {
  1: 'it recommends and a person decides; nothing is acted on without approval',
  2: 'it acts, a person is notified of every action and can reverse it within the window',
  3: 'it acts and logs; people review on the cadence',
};

export interface PromotionThresholds {
  minRuns: number;
  maxOverrideRate: number;
  maxErrorRate: number;
  maxLowConfidenceRate: number;
}

/** SPEC "Tiers and promotion": what `promotion:` means when a key is left out. */
export const PROMOTION_DEFAULTS: Readonly<PromotionThresholds> = { minRuns: 100, maxOverrideRate: 0.05, maxErrorRate: 0.02, maxLowConfidenceRate: 0.2 };

export function promotionThresholds(promotion: Partial<PromotionThresholds> | undefined): PromotionThresholds {
  return { ...PROMOTION_DEFAULTS, ...Object.fromEntries(Object.entries(promotion ?? {}).filter(([, v]) => v !== undefined)) };
}

export type Cadence = 'weekly' | 'monthly' | 'quarterly';

/** Without `review.cadence`, the review backlog gate holds an automation to a monthly review. */
export const DEFAULT_CADENCE: Cadence = 'monthly';

/**
 * How long a run may wait in review before the backlog gate fails. A cadence
 * period is its longest calendar length, so a run queued on the 1st of a
 * 31-day month is not overdue on the 31st.
 */
export const CADENCE_MS: Readonly<Record<Cadence, number>> = {
  weekly: 7 * 86_400_000,
  monthly: 31 * 86_400_000,
  quarterly: 92 * 86_400_000,
};
