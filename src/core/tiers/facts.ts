// What the promotion gates are computed from: plain data that app/ gathers from
// the workspace, the lock and the run log, so the gates themselves stay pure
// and a test hands in a table instead of a store.
import type { Counts } from '../stats/window-stats.js';
import type { GovernanceAnswers } from '../workspace/governance-answers.js';
import type { Cadence, PromotionThresholds, Tier } from './policy.js';

export interface EvalFact {
  suite: string;
  /**
   * The newest `eval_completed` of the suite at the current prompt hash and the
   * locked model, answered by the served model (stats' `evalEvidence`); null when
   * there is none.
   */
  evidence: { passed: boolean; passRate: number | null; at: string } | null;
}

export interface GateFacts {
  /** The tier it would move to. */
  to: Tier;
  owner: string | undefined;
  governance: GovernanceAnswers;
  /** Lock drift that concerns this automation's model or prompt, one sentence each; empty when the lock is current for it. */
  lockDrift: readonly string[];
  /** One entry per suite in the automation's `evals`, in file order. */
  evals: readonly EvalFact[];
  /** Counted over the runs started since the automation's last tier change (the stats fold's `total`). */
  runs: Pick<Counts, 'started' | 'finished' | 'failed' | 'corrected' | 'lowConfidenceReviews'>;
  /** When the run that has waited longest for review or approval began waiting; null when none waits. */
  oldestWaitingAt: string | null;
  /** The time the backlog is measured at (ISO 8601): the command's clock, handed in. */
  asOf: string;
  /** `review.cadence`; monthly when absent. */
  cadence?: Cadence;
  /** `promotion:` as written; missing keys take SPEC's defaults. */
  promotion?: Partial<PromotionThresholds>;
  reversal: boolean;
  notify: boolean;
}
