// Lock drift: what `aigov pin --check` fails on and `aigov validate` warns about.
import type { Config, Lockfile, Prompt } from '../workspace/schemas.js';
import type { Tier } from './effective-tier.js';
import { promptHash } from './prompt-hash.js';

export type Drift =
  | { kind: 'no_lock' }
  | { kind: 'model_unlocked'; model: string }
  | { kind: 'model_stale'; model: string; requested: string; locked: string }
  | { kind: 'model_unused'; model: string }
  | { kind: 'model_unserved'; model: string; resolved: string }
  | { kind: 'prompt_unlocked'; prompt: string; version: number }
  | { kind: 'prompt_edited'; prompt: string; version: number; bumpTo: number }
  | { kind: 'prompt_bumped'; prompt: string; version: number; locked: number }
  | { kind: 'prompt_behind'; prompt: string; version: number; locked: number }
  | { kind: 'prompt_removed'; prompt: string }
  | { kind: 'automation_unlocked'; automation: string; tier: Tier }
  | { kind: 'tier_raised'; automation: string; tier: Tier; locked: Tier };

/** The automations as drift needs them: their file's tier. */
export type AutomationTiers = ReadonlyMap<string, { tier: Tier }>;

export function automationTiers(automations: ReadonlyMap<string, { value: { tier: Tier } }>): AutomationTiers {
  return new Map([...automations].map(([id, a]) => [id, { tier: a.value.tier }]));
}

export function lockDrift(config: Config, prompts: ReadonlyMap<string, Prompt>, lock: Lockfile | undefined, automations: AutomationTiers = new Map()): Drift[] {
  if (!lock) return [{ kind: 'no_lock' }];
  const out: Drift[] = [];
  for (const [name, requested] of Object.entries(config.models)) {
    const locked = lock.models[name];
    if (!locked) out.push({ kind: 'model_unlocked', model: name });
    else if (locked.requested !== requested) out.push({ kind: 'model_stale', model: name, requested, locked: locked.requested });
    // null is a record too: the API said no model name. Only a missing one is drift.
    else if (locked.served === undefined) out.push({ kind: 'model_unserved', model: name, resolved: locked.resolved });
  }
  for (const name of Object.keys(lock.models)) if (!(name in config.models)) out.push({ kind: 'model_unused', model: name });
  for (const [id, p] of prompts) {
    const locked = lock.prompts[id];
    if (!locked) out.push({ kind: 'prompt_unlocked', prompt: id, version: p.version });
    else if (p.version === locked.version && promptHash(p) !== locked.sha256) out.push({ kind: 'prompt_edited', prompt: id, version: p.version, bumpTo: p.version + 1 });
    else if (p.version > locked.version) out.push({ kind: 'prompt_bumped', prompt: id, version: p.version, locked: locked.version });
    else if (p.version < locked.version) out.push({ kind: 'prompt_behind', prompt: id, version: p.version, locked: locked.version });
  }
  for (const id of Object.keys(lock.prompts)) if (!prompts.has(id)) out.push({ kind: 'prompt_removed', prompt: id });
  for (const [id, a] of automations) {
    const locked = lock.automations?.[id];
    if (!locked) out.push({ kind: 'automation_unlocked', automation: id, tier: a.tier });
    else if (a.tier > locked.tier) out.push({ kind: 'tier_raised', automation: id, tier: a.tier, locked: locked.tier });
  }
  return out;
}

/** Whether a model can be called under this lock: locked, and locked for what aigov.yaml requests now. */
export function isModelLocked(config: Config, lock: Lockfile | undefined, name: string): boolean {
  const locked = lock?.models[name];
  return !!locked && locked.requested === config.models[name];
}

export function describeDrift(d: Drift): { file: string; message: string; hint?: string } {
  switch (d.kind) {
    case 'no_lock':
      return { file: 'aigov.lock', message: 'no lock file', hint: 'run `aigov pin`' };
    case 'model_unlocked':
      return { file: 'aigov.yaml', message: `model "${d.model}" is not locked`, hint: 'run `aigov pin`' };
    case 'model_stale':
      return { file: 'aigov.lock', message: `model "${d.model}" is locked for ${d.locked} but aigov.yaml requests ${d.requested}`, hint: 'run `aigov pin`' };
    case 'model_unused':
      return { file: 'aigov.lock', message: `model "${d.model}" is locked but no longer in aigov.yaml`, hint: 'run `aigov pin`' };
    case 'model_unserved':
      return {
        file: 'aigov.lock',
        message: `model "${d.model}" (${d.resolved}) has no \`served\` in the lock: which model the API answers with was never recorded`,
        hint: 'run `aigov pin` (it records served without re-resolving)',
      };
    case 'prompt_unlocked':
      return { file: `prompts/${d.prompt}.yaml`, message: `prompt "${d.prompt}" (version ${d.version}) is not in the lock`, hint: 'run `aigov pin`' };
    case 'prompt_edited':
      return {
        file: `prompts/${d.prompt}.yaml`,
        message: `prompt "${d.prompt}" changed since it was locked at version ${d.version} without a version bump`,
        hint: `set version: ${d.bumpTo}, then run \`aigov pin\``,
      };
    case 'prompt_bumped':
      return { file: `prompts/${d.prompt}.yaml`, message: `prompt "${d.prompt}" is at version ${d.version} but the lock has version ${d.locked}`, hint: 'run `aigov pin`' };
    case 'prompt_behind':
      return { file: `prompts/${d.prompt}.yaml`, message: `prompt "${d.prompt}" is at version ${d.version}, older than the locked version ${d.locked}`, hint: 'versions only grow: set a version above the locked one' };
    case 'prompt_removed':
      return { file: 'aigov.lock', message: `prompt "${d.prompt}" is locked but its file is gone`, hint: 'run `aigov pin`' };
    case 'automation_unlocked':
      return { file: `automations/${d.automation}.yaml`, message: `automation "${d.automation}" is not in the lock's ledger of tiers yet`, hint: 'run `aigov pin` (a new automation enters at tier 1)' };
    case 'tier_raised':
      return {
        file: `automations/${d.automation}.yaml`,
        message: `automation "${d.automation}" says tier ${d.tier} but aigov.lock records tier ${d.locked}: a tier is raised only through \`aigov promote\`, so runs get tier ${d.locked}`,
        // Promotion goes one tier a step; further up, the file's tier can only be adopted as it is, forced and with a reason.
        hint:
          d.tier - d.locked > 1
            ? `run \`aigov promote ${d.automation}\` a tier at a time, or adopt it at tier ${d.tier} with \`aigov promote ${d.automation} --to ${d.tier} --force --reason "…"\`; or set tier: ${d.locked} back`
            : `run \`aigov promote ${d.automation}\`, or set tier: ${d.locked} back`,
      };
  }
}
