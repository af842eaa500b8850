// `aigov pin`: resolve logical models to exact snapshots and record prompt hashes in aigov.lock.
import { join } from 'node:path';
import { GateError, InvalidWorkspaceError, UsageError } from '../errors.js';
import { describeDrift, lockDrift, type Drift } from '../core/lock/drift.js';
import { emptyLock, serializeLock } from '../core/lock/lockfile.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import { splitModelRef } from '../core/lock/snapshots.js';
import { didYouMean } from '../core/suggest.js';
import type { Lockfile } from '../core/workspace/schemas.js';
import { hasErrors, promptValues, type Workspace } from '../core/workspace/workspace.js';
import { writeFileAtomic } from '../fs/atomic.js';
import type { ModelGateway } from '../providers/gateway.js';
import { resolveSnapshot } from './resolve-model.js';

export interface PinChange {
  name: string;
  requested: string;
  from?: string;
  to: string;
  how: string;
}

export interface PinResult {
  models: PinChange[];
  prompts: { id: string; from?: number; to: number }[];
  lock: Lockfile;
  written: boolean;
}

export interface PinOptions {
  /** `name` to re-resolve, or `name=provider:id` to set explicitly; empty: every model not yet locked. */
  only?: readonly string[];
  by: string;
  now: () => Date;
  gateway: ModelGateway;
}

export function checkLock(ws: Workspace): Drift[] {
  if (hasErrors(ws)) throw new InvalidWorkspaceError(ws.problems);
  return lockDrift(ws.config!.value, promptValues(ws), ws.lock?.value);
}

export async function pin(ws: Workspace, opts: PinOptions): Promise<PinResult> {
  const drift = checkLock(ws);
  refuseUnbumpedPrompts(drift);
  const config = ws.config!.value;
  const before = ws.lock?.value ?? emptyLock();
  const lock: Lockfile = { lockfileVersion: 1, models: {}, prompts: {} };
  const wanted = parseTargets(opts.only ?? [], Object.keys(config.models));
  const models: PinChange[] = [];
  for (const [name, requested] of Object.entries(config.models)) {
    const old = before.models[name];
    const current = old && old.requested === requested;
    if (current && !wanted.has(name)) {
      lock.models[name] = old;
      continue;
    }
    const explicit = wanted.get(name);
    const { resolved, how } = explicit ? await checkExplicit(opts.gateway, requested, explicit) : await resolveSnapshot(opts.gateway, requested);
    const unchanged = current && old.resolved === resolved;
    lock.models[name] = unchanged ? old : { requested, resolved, pinnedAt: opts.now().toISOString().replace(/\.\d{3}Z$/, 'Z'), pinnedBy: opts.by };
    if (!unchanged) models.push({ name, requested, from: old?.resolved, to: resolved, how });
  }
  const prompts: PinResult['prompts'] = [];
  for (const [id, { value: p }] of ws.prompts) {
    lock.prompts[id] = { version: p.version, sha256: promptHash(p) };
    if (before.prompts[id]?.version !== p.version) prompts.push({ id, from: before.prompts[id]?.version, to: p.version });
  }
  const text = serializeLock(lock);
  const written = !ws.lock || text !== ws.lock.source.text;
  if (written) writeFileAtomic(join(ws.root, 'aigov.lock'), text);
  return { models, prompts, lock, written };
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

async function checkExplicit(gateway: ModelGateway, requested: string, ref: string): Promise<{ resolved: string; how: string }> {
  if (splitModelRef(ref).provider !== splitModelRef(requested).provider) {
    throw new UsageError(`${ref}: aigov.yaml requests ${requested}, from another provider`, { hint: 'change the request in aigov.yaml first' });
  }
  const listed = await gateway.listModels(splitModelRef(ref).provider);
  if (listed && !listed.includes(splitModelRef(ref).model)) throw new UsageError(`${ref}: the provider does not list this model`);
  return { resolved: ref, how: 'set explicitly' };
}
