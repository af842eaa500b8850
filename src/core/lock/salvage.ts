// What `aigov pin` keeps from a lock it cannot read. From git merge-conflict markers:
// each side is read on its own, and what both sides agree on is kept: a model pinned the
// same on both sides (or on one side only), every prompt both agree on, and every
// automation's ledger entry, at the lower tier where the sides differ. Garbage keeps
// nothing. Pure.
import { parse } from 'yaml';
import { schemas, type LockedAutomation, type LockedModel, type Lockfile } from '../workspace/schemas.js';
import { conflictSides } from './broken.js';

export type Salvage = { kind: 'conflict'; lock: Lockfile } | { kind: 'unreadable' };

export function salvageLock(text: string): Salvage {
  const sides = conflictSides(text)
    ?.map(readSide)
    .filter((l): l is Lockfile => !!l);
  if (!sides?.length) return { kind: 'unreadable' };
  return { kind: 'conflict', lock: sides.length === 1 ? sides[0] : merge(sides[0], sides[1]) };
}

function readSide(text: string): Lockfile | undefined {
  try {
    const parsed = schemas().lockSchema.safeParse(parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function merge(a: Lockfile, b: Lockfile): Lockfile {
  const models: Record<string, LockedModel> = {};
  for (const name of union(a.models, b.models)) {
    const [x, y] = [a.models[name], b.models[name]];
    if (!x || !y) models[name] = (x ?? y)!;
    // Pinned differently on the two sides: neither is kept, so pin resolves it afresh.
    else if (x.requested === y.requested && x.resolved === y.resolved && x.served === y.served) models[name] = x.pinnedAt >= y.pinnedAt ? x : y;
  }
  const prompts: Lockfile['prompts'] = {};
  for (const id of union(a.prompts, b.prompts)) {
    const [x, y] = [a.prompts[id], b.prompts[id]];
    if (x && y && x.version === y.version && x.sha256 === y.sha256) prompts[id] = x;
  }
  const both = a.automations !== undefined || b.automations !== undefined;
  const automations: Record<string, LockedAutomation> = {};
  for (const id of union(a.automations ?? {}, b.automations ?? {})) {
    const [x, y] = [a.automations?.[id], b.automations?.[id]];
    automations[id] = !x || !y ? (x ?? y)! : y.tier < x.tier ? y : x;
  }
  return {
    lockfileVersion: a.lockfileVersion === 2 || b.lockfileVersion === 2 ? 2 : 1,
    models,
    prompts,
    ...(both ? { automations } : {}),
  };
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}
