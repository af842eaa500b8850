// What the dashboard and the report need to know about each automation from
// the committed files: who owns it, the tier its runs get, its threshold and
// cadence, its suites and the eval target that counts as evidence, its lock
// drift, and the facts its promotion gates read. Pure: a parsed workspace in.
import { lockDrift } from '../lock/drift.js';
import { promptHash } from '../lock/prompt-hash.js';
import type { EvalTarget } from '../stats/evals.js';
import type { GateFacts } from '../tiers/facts.js';
import { DEFAULT_CADENCE, type Cadence, type Tier } from '../tiers/policy.js';
import { promptValues, type Workspace } from '../workspace/workspace.js';
import { driftFor, effectiveTier, lockedTier } from './drift.js';

export interface AutomationInfo {
  id: string;
  name: string;
  owner: string;
  /** The tier its runs get: the lower of the file's and the lock's. */
  tier: number;
  fileTier: number;
  /** The lock's `automations` ledger, where the lock has one. */
  lockTier?: number;
  threshold?: number;
  cadence: Cadence;
  suites: string[];
  /** The prompt hash and locked model an eval must have run at to count; null when the prompt or its lock is missing. */
  evalTarget: EvalTarget | null;
  /** Lock drift concerning its model or prompt, one sentence each. */
  drift: string[];
  /** The file says a higher tier than the lock records. */
  tierDrift: boolean;
  /** The promotion gates' facts that come from the files (runs, backlog and evals come from the log). */
  gateFacts: Omit<GateFacts, 'to' | 'runs' | 'oldestWaitingAt' | 'asOf' | 'evals'>;
}

export function automationInfos(ws: Workspace): AutomationInfo[] {
  const drift = ws.config ? lockDrift(ws.config.value, promptValues(ws), ws.lock?.value) : [];
  return [...ws.automations.values()]
    .map(({ value: a }) => {
      const prompt = ws.prompts.get(a.prompt)?.value;
      const locked = prompt ? ws.lock?.value.models[prompt.model] : undefined;
      const lockTier = lockedTier(ws.lock?.value, a.id);
      const served = (locked as { served?: unknown } | undefined)?.served;
      return {
        id: a.id,
        name: a.name,
        owner: a.owner,
        tier: effectiveTier(a.tier, lockTier),
        fileTier: a.tier,
        ...(lockTier === undefined ? {} : { lockTier }),
        ...(a.confidence ? { threshold: a.confidence.threshold } : {}),
        cadence: a.review?.cadence ?? DEFAULT_CADENCE,
        suites: [...a.evals],
        evalTarget: prompt && locked ? { sha256: promptHash(prompt), model: locked.resolved, ...(typeof served === 'string' ? { served } : {}) } : null,
        drift: driftFor(drift, prompt?.model, a.prompt),
        tierDrift: lockTier !== undefined && a.tier > lockTier,
        gateFacts: {
          owner: a.owner,
          governance: a.governance,
          lockDrift: driftFor(drift, prompt?.model, a.prompt),
          cadence: a.review?.cadence,
          promotion: a.promotion,
          reversal: !!a.reversal,
          notify: !!a.notify,
        },
      };
    })
    .sort((x, y) => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
}

export const asTier = (n: number): Tier => (n <= 1 ? 1 : n >= 3 ? 3 : 2);
