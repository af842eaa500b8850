// `aigov pin`: resolve logical models to exact snapshots, record which model the API
// says it serves for each, the prompt hashes, and the ledger of tiers, in aigov.lock.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GateError, InvalidWorkspaceError, UsageError } from '../errors.js';
import { isLockProblem, LOCK_FILE } from '../core/lock/broken.js';
import { automationTiers, describeDrift, lockDrift, type Drift } from '../core/lock/drift.js';
import { nextLedger, type LedgerChange } from '../core/lock/ledger.js';
import { emptyLock, LOCKFILE_VERSION, lockTime, serializeLock } from '../core/lock/lockfile.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import { salvageLock } from '../core/lock/salvage.js';
import { splitModelRef } from '../core/lock/snapshots.js';
import { didYouMean } from '../core/suggest.js';
import type { Lockfile } from '../core/workspace/schemas.js';
import { hasErrors, promptValues, type Workspace } from '../core/workspace/workspace.js';
import { writeFileAtomic } from '../fs/atomic.js';
import { keepWritten } from './parse-cache.js';
import type { ModelGateway } from '../providers/gateway.js';
import type { Store } from '../store/types.js';
import type { Context } from './context.js';
import { pinEvents, recordEvents } from './evidence.js';
import { resolveSnapshot, servedModel, type Resolved } from './resolve-model.js';

export interface PinChange {
  name: string;
  requested: string;
  from?: string;
  to: string;
  how: string;
  /** What the API reported as `model` for `to`; null where it reports none. */
  served: string | null;
}

export interface PinResult {
  models: PinChange[];
  /** Models kept as they were, now with the `served` the lock lacked. */
  served: { name: string; resolved: string; served: string | null }[];
  prompts: { id: string; from?: number; to: number }[];
  /** Automations entered in the ledger by this pin. */
  automations: LedgerChange[];
  /** The lock could not be read and was rewritten: what was kept from it. */
  rewritten?: 'conflict' | 'unreadable';
  lock: Lockfile;
  written: boolean;
}

export interface PinOptions {
  /** `name` to re-resolve, or `name=provider:id` to set explicitly; empty: every model not yet locked. */
  only?: readonly string[];
  by: string;
  now: () => Date;
  gateway: ModelGateway;
  /** The run log for the `model_pinned` events (the caller closes it); by default the workspace's own. */
  store?: Store;
  /** Where the run log is opened from when no `store` is given (app/context.ts). */
  context?: Partial<Context>;
}

export function checkLock(ws: Workspace): Drift[] {
  if (hasErrors(ws)) throw new InvalidWorkspaceError(ws.problems);
  return lockDrift(ws.config!.value, promptValues(ws), ws.lock?.value, automationTiers(ws.automations));
}

export async function pin(ws: Workspace, opts: PinOptions): Promise<PinResult> {
  const { before, rewritten } = lockBefore(ws);
  refuseUnbumpedPrompts(lockDrift(ws.config!.value, promptValues(ws), before));
  const config = ws.config!.value;
  const old = before ?? emptyLock();
  const at = lockTime(opts.now());
  const lock: Lockfile = { lockfileVersion: LOCKFILE_VERSION, models: {}, prompts: {}, automations: {} };
  const wanted = parseTargets(opts.only ?? [], Object.keys(config.models));
  const models: PinChange[] = [];
  const served: PinResult['served'] = [];
  for (const [name, requested] of Object.entries(config.models)) {
    const prior = old.models[name];
    const current = prior && prior.requested === requested;
    if (current && !wanted.has(name)) {
      // Kept as pinned; a lock written before `served` existed gets it now, without re-resolving.
      const s = prior.served !== undefined ? prior.served : await servedModel(opts.gateway, prior.resolved);
      if (prior.served === undefined) served.push({ name, resolved: prior.resolved, served: s });
      lock.models[name] = { ...prior, served: s };
      continue;
    }
    const explicit = wanted.get(name);
    const r = explicit ? await checkExplicit(opts.gateway, requested, explicit) : await resolveSnapshot(opts.gateway, requested);
    const s = r.served !== undefined ? r.served : await servedModel(opts.gateway, r.resolved);
    if (current && prior.resolved === r.resolved && (prior.served === s || prior.served === undefined)) {
      if (prior.served === undefined) served.push({ name, resolved: prior.resolved, served: s });
      lock.models[name] = { ...prior, served: s };
      continue;
    }
    // A new snapshot, or the same one now served under another name: both change what the lock promises.
    const how = current && prior.resolved === r.resolved ? `the API now answers for it as ${s ?? 'no model'}, not ${prior.served ?? 'no model'}` : r.how;
    lock.models[name] = { requested, resolved: r.resolved, served: s, pinnedAt: at, pinnedBy: opts.by };
    models.push({ name, requested, from: prior?.resolved, to: r.resolved, how, served: s });
  }
  const prompts: PinResult['prompts'] = [];
  for (const [id, { value: p }] of ws.prompts) {
    lock.prompts[id] = { version: p.version, sha256: promptHash(p) };
    if (old.prompts[id]?.version !== p.version) prompts.push({ id, from: old.prompts[id]?.version, to: p.version });
  }
  const ledger = nextLedger(automationTiers(ws.automations), before, { since: at, by: opts.by });
  lock.automations = ledger.ledger;
  const text = serializeLock(lock);
  const written = rewritten !== undefined || !ws.lock || text !== ws.lock.source.text;
  if (written) {
    writeFileAtomic(join(ws.root, LOCK_FILE), text);
    keepWritten(ws.root, 'lock', LOCK_FILE, text);
  }
  // After the lock: a pin that was not written is no pin. A failure to record is the caller's error to show.
  await recordEvents(ws, pinEvents(models, opts.by, opts.now().toISOString()), opts.store, opts.context?.openStore);
  return { models, served, prompts, automations: ledger.added, ...(rewritten ? { rewritten } : {}), lock, written };
}

/**
 * The lock to pin from. A lock that cannot be read (merge-conflict markers, garbage) is
 * not an error for `pin`, whose job is to write it: what both sides of a conflict agree
 * on is kept, and the rest is rebuilt from the workspace. Any other error stops it.
 */
function lockBefore(ws: Workspace): { before: Lockfile | undefined; rewritten?: 'conflict' | 'unreadable' } {
  const others = ws.problems.filter((p) => !isLockProblem(p));
  if (hasErrors({ problems: others })) throw new InvalidWorkspaceError(ws.problems);
  if (!hasErrors({ problems: ws.problems.filter(isLockProblem) })) return { before: ws.lock?.value };
  let text: string;
  try {
    text = readFileSync(join(ws.root, LOCK_FILE), 'utf8');
  } catch {
    return { before: undefined, rewritten: 'unreadable' };
  }
  const salvage = salvageLock(text);
  return salvage.kind === 'conflict' ? { before: salvage.lock, rewritten: 'conflict' } : { before: undefined, rewritten: 'unreadable' };
}

function refuseUnbumpedPrompts(drift: readonly Drift[]): void {
  const bad = drift.filter((d) => d.kind === 'prompt_edited' || d.kind === 'prompt_behind');
  if (!bad.length) return;
  const lines = bad.map((d) => {
    const x = describeDrift(d);
    return `${x.file}: ${x.message}${x.hint ? ` (${x.hint})` : ''}`;
  });
  throw new GateError('E_PROMPT_NOT_BUMPED', `refusing to pin: ${lines.join('; ')}`, { hint: 'a prompt edit needs a version bump, so the run log can tell the versions apart' });
}

function parseTargets(args: readonly string[], names: readonly string[]): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const arg of args) {
    const [name, ref] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!names.includes(name)) throw new UsageError(`unknown model "${name}"`, { hint: didYouMean(name, names) ?? `models in aigov.yaml: ${names.join(', ')}` });
    if (ref !== undefined && !/^[A-Za-z0-9_-]+:\S+$/.test(ref)) throw new UsageError(`${arg}: expected NAME=provider:model-id`);
    out.set(name, ref);
  }
  return out;
}

async function checkExplicit(gateway: ModelGateway, requested: string, ref: string): Promise<Resolved> {
  if (splitModelRef(ref).provider !== splitModelRef(requested).provider) {
    throw new UsageError(`${ref}: aigov.yaml requests ${requested}, from another provider`, { hint: 'change the request in aigov.yaml first' });
  }
  const listed = await gateway.listModels(splitModelRef(ref).provider);
  if (listed && !listed.includes(splitModelRef(ref).model)) throw new UsageError(`${ref}: the provider does not list this model`);
  return { resolved: ref, how: 'set explicitly' };
}
