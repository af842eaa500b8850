// What a production run may use: only the locked model and the locked prompt version.
import { GateError, UsageError } from '../errors.js';
import { isModelLocked } from '../core/lock/drift.js';
import { effectiveTier } from '../core/lock/effective-tier.js';
import { promptHash } from '../core/lock/prompt-hash.js';
import { splitModelRef } from '../core/lock/snapshots.js';
import { didYouMean } from '../core/suggest.js';
import type { Automation, Prompt } from '../core/workspace/schemas.js';
import type { Workspace } from '../core/workspace/workspace.js';

export interface Runnable {
  automation: Automation;
  prompt: Prompt;
  promptSha256: string;
  model: { name: string; requested: string; resolved: string; provider: string; id: string };
}

export function runnable(ws: Workspace, automationId: string): Runnable {
  const automation = ws.automations.get(automationId)?.value;
  if (!automation) throw new UsageError(`unknown automation "${automationId}"`, { hint: didYouMean(automationId, ws.automations.keys()) });
  const prompt = ws.prompts.get(automation.prompt)!.value;
  const config = ws.config!.value;
  const lock = ws.lock?.value;
  if (!isModelLocked(config, lock, prompt.model)) throw new GateError('E_UNLOCKED', `model "${prompt.model}" is not locked in aigov.lock`, { hint: 'run `aigov pin` and commit aigov.lock' });
  const sha = promptHash(prompt);
  const lockedPrompt = lock!.prompts[prompt.id];
  if (!lockedPrompt || lockedPrompt.version !== prompt.version || lockedPrompt.sha256 !== sha) {
    throw new GateError('E_STALE_LOCK', `prompt "${prompt.id}" (version ${prompt.version}) is not the version locked in aigov.lock`, { hint: 'bump its version if it changed, run `aigov pin`, and commit aigov.lock' });
  }
  const resolved = lock!.models[prompt.model].resolved;
  const { provider, model } = splitModelRef(resolved);
  // The tier a run gets is the lower of the file's and the lock's ledger: raised by hand, it never takes effect.
  const tier = effectiveTier(automation.id, automation.tier, lock);
  return { automation: { ...automation, tier }, prompt, promptSha256: sha, model: { name: prompt.model, requested: config.models[prompt.model], resolved, provider, id: model } };
}

/** Checks variables against the prompt's declarations before anything is logged or called. */
export function checkVars(prompt: Prompt, vars: Readonly<Record<string, unknown>>): void {
  for (const [name, spec] of Object.entries(prompt.vars)) {
    const v = vars[name];
    if (v === undefined || v === null) {
      if (spec.required) throw new UsageError(`missing variable "${name}" for prompt "${prompt.id}"`);
      continue;
    }
    if (typeof v !== spec.type) throw new UsageError(`variable "${name}" must be a ${spec.type}, got ${typeof v}`);
    if (spec.maxLength && String(v).length > spec.maxLength) throw new UsageError(`variable "${name}" is ${String(v).length} characters; maxLength is ${spec.maxLength}`);
  }
  for (const name of Object.keys(vars)) {
    if (!(name in prompt.vars)) throw new UsageError(`unknown variable "${name}" for prompt "${prompt.id}"`, { hint: didYouMean(name, Object.keys(prompt.vars)) });
  }
}
