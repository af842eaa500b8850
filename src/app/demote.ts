// `aigov demote`: always allowed with a reason, and recorded as a promotion is:
// `tier:` in the file, `tier_changed` in the run log, the ledger in the lock.
// The gates of the tier it leaves are recorded as they stand, as evidence of
// why; none of them can stop it.
import { UsageError } from '../errors.js';
import { gates } from '../core/tiers/gates.js';
import type { Tier } from '../core/tiers/policy.js';
import type { Workspace } from '../core/workspace/workspace.js';
import { systemClock } from './context.js';
import { checkTier, currentTier, requireLedger, withStore, type TierCommandOptions, type TierResult } from './promote.js';
import { gatherFacts } from './promotion-facts.js';
import { commitTierChange } from './tier-change.js';

export async function demote(ws: Workspace, automation: string, opts: TierCommandOptions): Promise<TierResult> {
  const from = currentTier(ws, automation);
  const reason = opts.reason?.trim();
  if (!reason) throw new UsageError('demote needs --reason: the record says why', { hint: `aigov demote ${automation} --reason "…"` });
  if (from === 1) throw new UsageError(`"${automation}" is at tier 1 already, the lowest`);
  const to = opts.to ?? from - 1;
  checkTier(to);
  if (to >= from) throw new UsageError(`"${automation}" is at tier ${from}: demoting goes down`, { hint: `aigov promote ${automation}` });
  requireLedger(ws);
  const now = (opts.now ?? systemClock)();
  return withStore(ws, opts.store, async (store) => {
    const { facts, since, lastChangeSeq } = await gatherFacts(ws, store, automation, from, now.toISOString());
    const all = gates(facts);
    const { name, identity } = await opts.decider();
    const { event, written } = await commitTierChange(ws, store, { automation, from, to: to as Tier, reason, by: name, identity, gates: all, forced: false, at: now, lastChangeSeq }, opts.io);
    return { automation, from, to: to as Tier, promoted: false, dryRun: false, passed: all.every((g) => g.pass), forced: false, gates: all, since, event: { seq: event.seq, hash: event.hash }, written };
  }, opts.context?.openStore);
}
