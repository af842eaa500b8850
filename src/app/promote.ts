// `aigov promote`: one tier up, on evidence. Every gate of SPEC "Tiers and
// promotion" is computed (core/tiers) from the facts gathered here; when all
// pass, the change is recorded all or nothing (tier-change.ts). `--force`
// adopts an automation at a higher tier despite failing gates, with a reason,
// and the record says it was forced and which gates failed.
import { GateError, InvalidWorkspaceError, UsageError } from '../errors.js';
import { effectiveTier } from '../core/lock/effective-tier.js';
import { didYouMean } from '../core/suggest.js';
import { gates, type Gate } from '../core/tiers/gates.js';
import type { Tier } from '../core/tiers/policy.js';
import { hasErrors, type Workspace } from '../core/workspace/workspace.js';
import { openStore } from '../store/open.js';
import type { Store } from '../store/types.js';
import { systemClock, type Context, type StoreOpener } from './context.js';
import type { RecordedIdentity } from './identity.js';
import { gatherFacts } from './promotion-facts.js';
import { commitTierChange, type TierChangeIo } from './tier-change.js';

export interface TierCommandOptions {
  /** The tier to move to; by default one step. */
  to?: number;
  reason?: string;
  /**
   * Who decides: the name given (--as, else AIGOV_ACTOR, git user.email, the
   * login), a claim recorded beside what the machine says (`identity`). Asked
   * only when a change is written, so a dry run starts no git.
   */
  decider: () => Promise<Decider>;
  now?: () => Date;
  /** The run log, opened by the caller (who closes it); by default the workspace's own. */
  store?: Store;
  /** Where the workspace's run log is opened from when no `store` is given (app/context.ts). */
  context?: Partial<Context>;
  /** For tests: file operations that fail on cue. */
  io?: TierChangeIo;
}

export interface Decider {
  name: string;
  identity: RecordedIdentity;
}

export interface PromoteOptions extends TierCommandOptions {
  dryRun?: boolean;
  force?: boolean;
}

export interface TierResult {
  automation: string;
  from: Tier;
  to: Tier;
  /** Written: the file, the event and the lock. False for a dry run and for a refusal. */
  promoted: boolean;
  dryRun: boolean;
  /** Every gate passed. */
  passed: boolean;
  forced: boolean;
  gates: Gate[];
  /** Where the evidence starts: the ledger's `since` (null: the automation has no entry, so every run counts). */
  since: string | null;
  event: { seq: number; hash: string } | null;
  written: string[];
}

export async function promote(ws: Workspace, automation: string, opts: PromoteOptions): Promise<TierResult> {
  const from = currentTier(ws, automation);
  const to = promotionTarget(automation, from, opts);
  const reason = opts.reason?.trim() || null;
  if (opts.force && !reason) throw new UsageError('--force needs --reason: a forced promotion is recorded with why', { hint: `aigov promote ${automation} --to ${to} --force --reason "…"` });
  if (opts.force && !opts.dryRun) requireLedger(ws);
  const now = (opts.now ?? systemClock)();
  return withStore(ws, opts.store, async (store) => {
    const { facts, since, lastChangeSeq } = await gatherFacts(ws, store, automation, to, now.toISOString());
    const all = gates(facts);
    const passed = all.every((g) => g.pass);
    // Forced: past failing gates, or past a tier skipped on the way.
    const forced = !!opts.force && (!passed || to !== from + 1);
    const result: TierResult = { automation, from, to, promoted: false, dryRun: !!opts.dryRun, passed, forced, gates: all, since, event: null, written: [] };
    if (opts.dryRun || (!passed && !opts.force)) return result;
    requireLedger(ws);
    const { name, identity } = await opts.decider();
    const { event, written } = await commitTierChange(ws, store, { automation, from, to, reason, by: name, identity, gates: all, forced: result.forced, at: now, lastChangeSeq }, opts.io);
    return { ...result, promoted: true, event: { seq: event.seq, hash: event.hash }, written };
  }, opts.context?.openStore);
}

/** The tier runs of the automation get now: the lower of its file's and the ledger's. */
export function currentTier(ws: Workspace, automation: string): Tier {
  if (hasErrors(ws)) throw new InvalidWorkspaceError(ws.problems);
  const a = ws.automations.get(automation)?.value;
  if (!a) throw new UsageError(`unknown automation "${automation}"`, { hint: didYouMean(automation, ws.automations.keys()) });
  return effectiveTier(automation, a.tier, ws.lock?.value);
}

function promotionTarget(automation: string, from: Tier, opts: PromoteOptions): Tier {
  if (from === 3) throw new UsageError(`"${automation}" is at tier 3 already, the highest`);
  const to = opts.to ?? from + 1;
  checkTier(to);
  if (to <= from) throw new UsageError(`"${automation}" is at tier ${from}: promoting goes up`, { hint: `aigov demote ${automation} --to ${to} --reason "…"` });
  if (to !== from + 1 && !opts.force) {
    throw new UsageError(`"${automation}" is at tier ${from}: promotion goes one tier at a time, to ${from + 1}`, { hint: `aigov promote ${automation}; to adopt it at tier ${to} as it is, --to ${to} --force --reason "…"` });
  }
  return to as Tier;
}

export function checkTier(n: number): asserts n is Tier {
  if (n !== 1 && n !== 2 && n !== 3) throw new UsageError(`--to must be a tier: 1, 2 or 3, got ${Number.isNaN(n) ? 'no number' : n}`);
}

/** A change is recorded in the lock's ledger: there has to be one. */
export function requireLedger(ws: Workspace): void {
  if (!ws.lock) throw new GateError('E_NO_LEDGER', 'there is no aigov.lock to record the tier in', { hint: 'run `aigov pin` first' });
  if (!ws.lock.value.automations) throw new GateError('E_NO_LEDGER', 'aigov.lock is version 1 and has no ledger of tiers', { hint: 'run `aigov pin` first: it writes version 2 with every automation at the tier its file says' });
}

export async function withStore<T>(ws: Workspace, given: Store | undefined, fn: (store: Store) => Promise<T>, open: StoreOpener = openStore): Promise<T> {
  if (given) return fn(given);
  const store = await open(ws.config?.value.store, ws.root);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
