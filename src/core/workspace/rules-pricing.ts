// A `max-cost` assertion needs the price of the model that answers, or the cost
// it limits is unknown. Which model answers is known from the lock at validate
// time, and from the plan before `aigov eval` calls anything (--unlocked, or a
// candidate snapshot of `pin --upgrade`). Pure.
import type { Problem } from '../../errors.js';
import { isModelLocked } from '../lock/drift.js';
import { splitModelRef } from '../lock/snapshots.js';
import { costUsd } from '../pricing.js';
import { problemAt } from './source.js';
import type { Workspace } from './workspace.js';

/** A suite and the exact model its prompt will be called on. */
export interface PricedTarget {
  suite: string;
  provider: string;
  model: string;
}

/** One error per suite whose model has no price while one of its cases limits cost. */
export function unpricedCostLimits(ws: Pick<Workspace, 'config' | 'suites'>, targets: Iterable<PricedTarget>): Problem[] {
  const config = ws.config!.value;
  const out: Problem[] = [];
  for (const t of targets) {
    // Priced exactly as the run will price it.
    if (costUsd(config, t.provider, t.model, { input: 0, output: 0 }) !== null) continue;
    const loaded = ws.suites.get(t.suite);
    if (!loaded) continue;
    const at: (string | number)[][] = [];
    loaded.value.cases.forEach((c, i) =>
      (c.assert ?? []).forEach((a, j) => {
        if (a.type === 'max-cost' || a.type === 'not-max-cost') at.push(['cases', i, 'assert', j, 'type']);
      }),
    );
    if (!at.length) continue;
    const more = at.length > 1 ? ` (and ${at.length - 1} more in this suite)` : '';
    out.push(
      problemAt(loaded.source, at[0], `max-cost needs the price of ${t.provider}:${t.model}, and pricing in aigov.yaml has none${more}`, {
        hint: `add pricing: { ${t.model}: { input: …, output: … } } to aigov.yaml (USD per million tokens)`,
      }),
    );
  }
  return out;
}

/**
 * Validate time: each suite is priced for the snapshot the lock resolves its
 * prompt's model to. A model not locked yet is drift, and `eval` checks its price
 * before it runs one (with --unlocked).
 */
export function lockedPrices(ws: Workspace): Problem[] {
  const lock = ws.lock?.value;
  if (!lock) return [];
  const config = ws.config!.value;
  const targets: PricedTarget[] = [];
  for (const { value: s } of ws.suites.values()) {
    const name = ws.prompts.get(s.prompt)?.value.model;
    if (!name || !(name in config.models) || !isModelLocked(config, lock, name)) continue;
    const { provider, model } = splitModelRef(lock.models[name].resolved);
    targets.push({ suite: s.suite, provider, model });
  }
  return unpricedCostLimits(ws, targets);
}
